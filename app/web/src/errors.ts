// Turning a failed transaction into words: the program's error name and
// message (custom codes 6000+ from the IDL), else Anchor's own message from
// the logs, else the runtime's error.
import {
  isSolanaError,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
} from '@solana/kit';
import { PROGRAM_ERRORS } from './generated/idl';

export interface TxFailure {
  /** Program error name (`StillUnbonding`) or a short runtime reason. */
  name: string;
  /** What happened, in words. */
  message: string;
  /** Custom error code when the program returned one. */
  code?: number;
  /** Transaction logs when the cluster returned them. */
  logs: string[];
}

/** Name and message of an EdgeFuel error code, from the IDL. */
export function programError(code: number): { name: string; msg: string } | undefined {
  return PROGRAM_ERRORS.find((e) => e.code === code);
}

/** Anchor's framework errors print `AnchorError … Error Code: X. Error Number: N. Error Message: M.` */
function fromLogs(logs: string[]): { name: string; message: string; code?: number } | undefined {
  for (const line of logs) {
    const m = /Error Code: (\w+)\. Error Number: (\d+)\. Error Message: (.*?)\.?$/.exec(line);
    if (m) return { name: m[1], code: Number(m[2]), message: m[3] };
  }
  return undefined;
}

/** A custom code as a failure (IDL first, logs second). */
export function customFailure(code: number, logs: string[]): TxFailure {
  const e = programError(code);
  if (e) return { name: e.name, message: e.msg, code, logs };
  const l = fromLogs(logs);
  if (l) return { ...l, logs };
  return { name: `Custom(${code})`, message: `the program returned error ${code}`, code, logs };
}

/** The `err` of a transaction status (`{"InstructionError":[0,{"Custom":6019}]}`) as a failure. */
export function statusFailure(err: unknown, logs: string[] = []): TxFailure {
  const ie = (err as { InstructionError?: [number, unknown] } | null)?.InstructionError;
  if (ie) {
    const inner = ie[1] as { Custom?: number | bigint } | string;
    if (typeof inner === 'object' && inner && 'Custom' in inner) return customFailure(Number(inner.Custom), logs);
    return { name: typeof inner === 'string' ? inner : JSON.stringify(inner), message: `instruction ${ie[0]} failed`, logs };
  }
  const name = typeof err === 'string' ? err : JSON.stringify(err, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return { name, message: 'the transaction failed', logs };
}

/** Any error thrown while sending (preflight refusals included) as a failure. */
export function describeError(e: unknown): TxFailure {
  let logs: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 8; depth++) {
    if (isSolanaError(cur, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)) {
      logs = (cur.context.logs as string[] | null) ?? [];
    }
    if (isSolanaError(cur, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM)) {
      return customFailure(Number(cur.context.code), logs);
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  const l = fromLogs(logs);
  if (l) return { ...l, logs };
  const msg = e instanceof Error ? e.message : String(e);
  const name =
    e instanceof Error && 'context' in e
      ? String((e as { context: { __code?: number } }).context.__code ?? e.name)
      : e instanceof Error
        ? e.name
        : 'Error';
  return { name, message: msg, logs };
}

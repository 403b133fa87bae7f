import { describe, expect, it } from 'vitest';
import { customFailure, programError, statusFailure } from '../../src/errors';
import idl from '../../../../programs/edgefuel/idl/edgefuel.json';

describe('program errors in words', () => {
  it('maps every IDL error code to its name and message', () => {
    for (const e of idl.errors) expect(programError(e.code)).toEqual({ code: e.code, name: e.name, msg: e.msg });
  });

  it('reads a failed transaction status', () => {
    const still = idl.errors.find((e) => e.name === 'StillUnbonding')!;
    const f = statusFailure({ InstructionError: [0, { Custom: still.code }] });
    expect(f).toMatchObject({ name: 'StillUnbonding', code: still.code, message: still.msg });
  });

  it("falls back to Anchor's message in the logs for framework errors", () => {
    const logs = [
      'Program log: AnchorError caused by account: delegation. Error Code: AccountNotInitialized. Error Number: 3012. Error Message: The program expected this account to be already initialized.',
    ];
    expect(customFailure(3012, logs)).toMatchObject({
      name: 'AccountNotInitialized',
      code: 3012,
      message: 'The program expected this account to be already initialized',
    });
  });
});

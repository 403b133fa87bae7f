// Converts a value decoded by the generated client into the JSON the Rust
// client's `idl::account_to_json` prints (snake_case fields, enum variant
// names, integers as decimal strings in the fixtures, reserved fields left
// out), walking the IDL types. Used only to compare the two decoders.
import idl from '../../../../programs/edgefuel/idl/edgefuel.json';

type IdlType = string | { array: [IdlType, number] } | { vec: IdlType } | { option: IdlType } | { defined: { name: string } };
interface IdlField {
  name: string;
  type: IdlType;
}
interface IdlTypeDef {
  name: string;
  type: { kind: 'struct'; fields?: IdlField[] } | { kind: 'enum'; variants: { name: string; fields?: (IdlField | IdlType)[] }[] };
}

const types = new Map((idl.types as unknown as IdlTypeDef[]).map((t) => [t.name, t]));

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function toRustJson(ty: IdlType, v: unknown): unknown {
  if (typeof ty === 'string') {
    if (ty === 'pubkey' || ty === 'string') return v;
    if (ty === 'bool') return v;
    return String(v as number | bigint);
  }
  if ('array' in ty) return Array.from(v as ArrayLike<unknown>, (x) => toRustJson(ty.array[0], x));
  if ('vec' in ty) return Array.from(v as ArrayLike<unknown>, (x) => toRustJson(ty.vec, x));
  if ('option' in ty) {
    const o = v as { __option: 'Some' | 'None'; value?: unknown };
    return o.__option === 'Some' ? toRustJson(ty.option, o.value) : null;
  }
  return definedToRustJson(ty.defined.name, v);
}

export function definedToRustJson(name: string, v: unknown): unknown {
  const def = types.get(name);
  if (!def) throw new Error(`IDL has no type ${name}`);
  if (def.type.kind === 'struct') return fieldsToRustJson(def.type.fields ?? [], v as Record<string, unknown>);
  const variants = def.type.variants;
  if (typeof v === 'number') return variants[v].name; // data-less enums decode to their index
  const e = v as { __kind: string; fields?: unknown[] } & Record<string, unknown>;
  const variant = variants.find((x) => x.name === e.__kind);
  if (!variant) throw new Error(`${name} has no variant ${e.__kind}`);
  if (!variant.fields) return variant.name;
  const named = variant.fields.every((f) => typeof f === 'object' && f !== null && 'name' in f);
  if (named) return { [variant.name]: fieldsToRustJson(variant.fields as IdlField[], e) };
  const tuple = variant.fields as IdlType[];
  const items = tuple.map((t, i) => toRustJson(t, e.fields![i]));
  return { [variant.name]: items.length === 1 ? items[0] : items };
}

function fieldsToRustJson(fields: IdlField[], v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.name.startsWith('reserved')) continue;
    out[f.name] = toRustJson(f.type, v[camel(f.name)]);
  }
  return out;
}

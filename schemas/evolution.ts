// Checks that a protobuf package evolved compatibly: every tag of the released descriptor keeps
// its name, type and label; removed tags are reserved; enum numbers keep their names.
// Descriptors are protobufjs JSON (`pbjs -t json`, or `Root.toJSON()`).

interface FieldJson { type: string; id: number; rule?: string; keyType?: string }
interface TypeJson {
  fields?: Record<string, FieldJson>;
  values?: Record<string, number>;
  reserved?: Array<[number, number] | string>;
  nested?: Record<string, TypeJson>;
}
export interface DescriptorJson { nested?: Record<string, TypeJson> }

export function compatibilityViolations(released: DescriptorJson, current: DescriptorJson): string[] {
  const violations: string[] = [];
  const currentTypes = flatten(current);
  for (const [name, before] of flatten(released)) {
    const after = currentTypes.get(name);
    if (after === undefined) {
      violations.push(`${name} was removed: types are never removed from a released package`);
      continue;
    }
    if (before.fields !== undefined) checkFields(name, before, after, violations);
    if (before.values !== undefined) checkEnumValues(name, before, after, violations);
  }
  return violations;
}

function checkFields(name: string, before: TypeJson, after: TypeJson, violations: string[]): void {
  const afterById = new Map(Object.entries(after.fields ?? {}).map(([field, f]) => [f.id, { field, ...f }]));
  for (const [field, f] of Object.entries(before.fields ?? {})) {
    const now = afterById.get(f.id);
    if (now === undefined) {
      if (!isReserved(after, f.id, field)) {
        violations.push(`${name}.${field} (tag ${f.id}) was removed without reserving its tag and name`);
      }
      continue;
    }
    if (now.field !== field) violations.push(`${name} tag ${f.id} was renamed from ${field} to ${now.field}`);
    if (now.type !== f.type || now.keyType !== f.keyType) {
      violations.push(`${name}.${field} (tag ${f.id}) changed type from ${f.type} to ${now.type}`);
    }
    if ((now.rule ?? 'optional') !== (f.rule ?? 'optional')) {
      violations.push(`${name}.${field} (tag ${f.id}) changed label from ${f.rule ?? 'singular'} to ${now.rule ?? 'singular'}`);
    }
  }
  for (const [field, f] of Object.entries(after.fields ?? {})) {
    if (isReserved(after, f.id, field)) {
      violations.push(`${name}.${field} reuses reserved tag ${f.id}`);
    }
  }
}

function checkEnumValues(name: string, before: TypeJson, after: TypeJson, violations: string[]): void {
  const afterByNumber = new Map(Object.entries(after.values ?? {}).map(([value, n]) => [n, value]));
  for (const [value, n] of Object.entries(before.values ?? {})) {
    const now = afterByNumber.get(n);
    if (now === undefined && !isReserved(after, n, value)) {
      violations.push(`${name}.${value} (${n}) was removed without reserving it`);
    } else if (now !== undefined && now !== value) {
      violations.push(`${name} value ${n} was renamed from ${value} to ${now}`);
    }
  }
}

function isReserved(type: TypeJson, id: number, name: string): boolean {
  return (type.reserved ?? []).some((r) => (typeof r === 'string' ? r === name : id >= r[0] && id <= r[1]));
}

function flatten(root: DescriptorJson, prefix = '', into = new Map<string, TypeJson>()): Map<string, TypeJson> {
  for (const [name, type] of Object.entries(root.nested ?? {})) {
    const fullName = prefix === '' ? name : `${prefix}.${name}`;
    if (type.fields !== undefined || type.values !== undefined) into.set(fullName, type);
    flatten(type, fullName, into);
  }
  return into;
}

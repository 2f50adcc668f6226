// Pure: is a writer's schema ours? (The resolver against a real registry: app/confluent.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { judgeWriterSchema, SchemaVerdictCode } from './schema_registry.ts';
import { emailEventProto } from '../schemas/email_event_proto.ts';

/** What the registry client hands back for a protobuf schema: its first message, in its parsed file (camel-cased names, as the client parses). */
function writer(text: string): { message: protobuf.Type } {
  const parsed = protobuf.parse(text);
  const namespace = parsed.root.lookup(parsed.package ?? '') as protobuf.Namespace;
  return { message: namespace.nestedArray.find((n): n is protobuf.Type => n instanceof protobuf.Type)! };
}

test('our own schema is ours, at message index [0]; another message of the file is not', () => {
  assert.deepEqual(judgeWriterSchema(writer(emailEventProto()), [0]), { ok: true });
  const envelope = judgeWriterSchema(writer(emailEventProto()), [1]);
  assert.equal(!envelope.ok && envelope.code, SchemaVerdictCode.wrongSchema);
  assert.match(!envelope.ok ? envelope.reason : '', /written with email\.v1\.Envelope/);
  const missing = judgeWriterSchema(writer(emailEventProto()), [99]);
  assert.match(!missing.ok ? missing.reason : '', /message index 99 names no message/);
  const nested = judgeWriterSchema(writer(emailEventProto()), [0, 0]);
  assert.match(!nested.ok ? nested.reason : '', /message index 0\.0 names no message/);
});

test('an older or newer EmailEvent (fields missing or added) is ours: the tags both know agree', () => {
  const older = 'syntax = "proto3"; package email.v1; message EmailEvent { string tenant_id = 1; string message_id = 2; }';
  assert.deepEqual(judgeWriterSchema(writer(older), [0]), { ok: true });
  const newer = emailEventProto().replace(/message EmailEvent \{/, 'message EmailEvent {\n  string added_later = 900;');
  assert.deepEqual(judgeWriterSchema(writer(newer), [0]), { ok: true });
});

test('a schema that is not email.v1.EmailEvent, or not wire-compatible with ours, is WRONG_SCHEMA', () => {
  const cases: Array<[string, number[], RegExp]> = [
    ['syntax = "proto3"; package x.y; message Other { string a = 1; }', [0], /written with x\.y\.Other/],
    ['syntax = "proto3"; package email.v1; message EmailEvent { int64 tenant_id = 1; }', [0], /tag 1 \(tenant_id\) is int64, ours is string/],
    ['syntax = "proto3"; package email.v1; message EmailEvent { string message_id = 1; }', [0], /tag 1 is messageId, ours is tenant_id/],
    ['syntax = "proto3"; package email.v1; message EmailEvent { repeated string tenant_id = 1; }', [0], /tag 1 \(tenant_id\) has another label/],
    // A nested type that changed under the same name: checked field by field too.
    [emailEventProto().replace(/message Address \{[^}]*\}/, 'message Address { int32 name = 1; }'), [0], /email\.v1\.Address tag 1 \(name\) is int32, ours is string/],
  ];
  for (const [text, indexes, reason] of cases) {
    const verdict = judgeWriterSchema(writer(text), indexes);
    assert.equal(verdict.ok, false, text);
    assert.equal(!verdict.ok && verdict.code, SchemaVerdictCode.wrongSchema);
    assert.match(!verdict.ok ? verdict.reason : '', reason);
  }
  // An Avro or JSON schema: no protobuf message at all.
  const avro = judgeWriterSchema({ name: 'avro' }, [0]);
  assert.match(!avro.ok ? avro.reason : '', /not a protobuf schema/);
});

// The protobufjs runtime the generated code imports (pbjs --dependency). int64 fields carry
// epoch milliseconds and sizes, far below 2^53: decoding them to plain numbers instead of Long
// objects keeps every consumer simple. Must run before the generated module evaluates.
import protobuf from 'protobufjs/minimal.js';

protobuf.util.Long = undefined;
protobuf.configure();

export default protobuf;

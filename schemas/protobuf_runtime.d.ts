export * from 'protobufjs/minimal.js';
import protobuf from 'protobufjs/minimal.js';
export default protobuf;

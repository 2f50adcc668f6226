/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "../protobuf_runtime.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError, $Array = $util.global.Array, $TypeError = $util.global.TypeError, $String = $util.global.String, $Number = $util.global.Number, $parseInt = $util.global.parseInt, $BigInt = $util.global.BigInt;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const email = $root.email = (() => {

    /**
     * Namespace email.
     * @exports email
     * @namespace
     */
    const email = {};

    email.v1 = (function() {

        /**
         * Namespace v1.
         * @memberof email
         * @namespace
         */
        const v1 = {};

        v1.EmailEvent = (function() {

            /**
             * Properties of an EmailEvent.
             * @typedef {Object} email.v1.EmailEvent.$Properties
             * @property {string|null} [tenantId] EmailEvent tenantId
             * @property {string|null} [messageId] EmailEvent messageId
             * @property {number|null} [receivedAtMs] EmailEvent receivedAtMs
             * @property {email.v1.Envelope.$Properties|null} [envelope] EmailEvent envelope
             * @property {email.v1.Address.$Properties|null} [from] EmailEvent from
             * @property {email.v1.Address.$Properties|null} [replyTo] EmailEvent replyTo
             * @property {Array.<email.v1.Address.$Properties>|null} [to] EmailEvent to
             * @property {Array.<email.v1.Address.$Properties>|null} [cc] EmailEvent cc
             * @property {string|null} [subject] EmailEvent subject
             * @property {string|null} [textBody] EmailEvent textBody
             * @property {string|null} [htmlBody] EmailEvent htmlBody
             * @property {Array.<string>|null} [urls] EmailEvent urls
             * @property {Array.<email.v1.Attachment.$Properties>|null} [attachments] EmailEvent attachments
             * @property {email.v1.AuthenticationResults.$Properties|null} [auth] EmailEvent auth
             * @property {Uint8Array|null} [rawMessage] EmailEvent rawMessage
             * @property {Array.<email.v1.Header.$Properties>|null} [headers] EmailEvent headers
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an EmailEvent.
             * @memberof email.v1
             * @interface IEmailEvent
             * @augments email.v1.EmailEvent.$Properties
             * @deprecated Use email.v1.EmailEvent.$Properties instead.
             */

            /**
             * Shape of an EmailEvent.
             * @typedef {email.v1.EmailEvent.$Properties} email.v1.EmailEvent.$Shape
             */

            /**
             * Constructs a new EmailEvent.
             * @memberof email.v1
             * @classdesc Represents an EmailEvent.
             * @constructor
             * @param {email.v1.EmailEvent.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const EmailEvent = function (properties) {
                this.to = [];
                this.cc = [];
                this.urls = [];
                this.attachments = [];
                this.headers = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * EmailEvent tenantId.
             * @member {string} tenantId
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.tenantId = "";

            /**
             * EmailEvent messageId.
             * @member {string} messageId
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.messageId = "";

            /**
             * EmailEvent receivedAtMs.
             * @member {number} receivedAtMs
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.receivedAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * EmailEvent envelope.
             * @member {email.v1.Envelope.$Properties|null|undefined} envelope
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.envelope = null;

            /**
             * EmailEvent from.
             * @member {email.v1.Address.$Properties|null|undefined} from
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.from = null;

            /**
             * EmailEvent replyTo.
             * @member {email.v1.Address.$Properties|null|undefined} replyTo
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.replyTo = null;

            /**
             * EmailEvent to.
             * @member {Array.<email.v1.Address.$Properties>} to
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.to = $util.emptyArray;

            /**
             * EmailEvent cc.
             * @member {Array.<email.v1.Address.$Properties>} cc
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.cc = $util.emptyArray;

            /**
             * EmailEvent subject.
             * @member {string} subject
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.subject = "";

            /**
             * EmailEvent textBody.
             * @member {string} textBody
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.textBody = "";

            /**
             * EmailEvent htmlBody.
             * @member {string} htmlBody
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.htmlBody = "";

            /**
             * EmailEvent urls.
             * @member {Array.<string>} urls
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.urls = $util.emptyArray;

            /**
             * EmailEvent attachments.
             * @member {Array.<email.v1.Attachment.$Properties>} attachments
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.attachments = $util.emptyArray;

            /**
             * EmailEvent auth.
             * @member {email.v1.AuthenticationResults.$Properties|null|undefined} auth
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.auth = null;

            /**
             * EmailEvent rawMessage.
             * @member {Uint8Array} rawMessage
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.rawMessage = $util.newBuffer([]);

            /**
             * EmailEvent headers.
             * @member {Array.<email.v1.Header.$Properties>} headers
             * @memberof email.v1.EmailEvent
             * @instance
             */
            EmailEvent.prototype.headers = $util.emptyArray;

            /**
             * Creates a new EmailEvent instance using the specified properties.
             * @function create
             * @memberof email.v1.EmailEvent
             * @static
             * @param {email.v1.EmailEvent.$Properties=} [properties] Properties to set
             * @returns {email.v1.EmailEvent} EmailEvent instance
             * @type {{
             *   (properties: email.v1.EmailEvent.$Shape): email.v1.EmailEvent & email.v1.EmailEvent.$Shape;
             *   (properties?: email.v1.EmailEvent.$Properties): email.v1.EmailEvent;
             * }}
             */
            EmailEvent.create = function(properties) {
                return new EmailEvent(properties);
            };

            /**
             * Encodes the specified EmailEvent message. Does not implicitly {@link email.v1.EmailEvent.verify|verify} messages.
             * @function encode
             * @memberof email.v1.EmailEvent
             * @static
             * @param {email.v1.EmailEvent.$Properties} message EmailEvent message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            EmailEvent.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.tenantId != null && $Object.hasOwnProperty.call(message, "tenantId") && message.tenantId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.tenantId);
                if (message.messageId != null && $Object.hasOwnProperty.call(message, "messageId") && message.messageId !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.messageId);
                if (message.receivedAtMs != null && $Object.hasOwnProperty.call(message, "receivedAtMs") && (typeof message.receivedAtMs === "object" ? message.receivedAtMs.low || message.receivedAtMs.high : message.receivedAtMs !== 0))
                    writer.uint32(/* id 3, wireType 0 =*/24).int64(message.receivedAtMs);
                if (message.envelope != null && $Object.hasOwnProperty.call(message, "envelope"))
                    $root.email.v1.Envelope.encode(message.envelope, writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                if (message.from != null && $Object.hasOwnProperty.call(message, "from"))
                    $root.email.v1.Address.encode(message.from, writer.uint32(/* id 5, wireType 2 =*/42).fork(), _depth + 1).ldelim();
                if (message.replyTo != null && $Object.hasOwnProperty.call(message, "replyTo"))
                    $root.email.v1.Address.encode(message.replyTo, writer.uint32(/* id 6, wireType 2 =*/50).fork(), _depth + 1).ldelim();
                if (message.to != null && message.to.length)
                    for (let i = 0; i < message.to.length; ++i)
                        $root.email.v1.Address.encode(message.to[i], writer.uint32(/* id 7, wireType 2 =*/58).fork(), _depth + 1).ldelim();
                if (message.cc != null && message.cc.length)
                    for (let i = 0; i < message.cc.length; ++i)
                        $root.email.v1.Address.encode(message.cc[i], writer.uint32(/* id 8, wireType 2 =*/66).fork(), _depth + 1).ldelim();
                if (message.subject != null && $Object.hasOwnProperty.call(message, "subject") && message.subject !== "")
                    writer.uint32(/* id 9, wireType 2 =*/74).string(message.subject);
                if (message.textBody != null && $Object.hasOwnProperty.call(message, "textBody") && message.textBody !== "")
                    writer.uint32(/* id 10, wireType 2 =*/82).string(message.textBody);
                if (message.htmlBody != null && $Object.hasOwnProperty.call(message, "htmlBody") && message.htmlBody !== "")
                    writer.uint32(/* id 11, wireType 2 =*/90).string(message.htmlBody);
                if (message.urls != null && message.urls.length)
                    for (let i = 0; i < message.urls.length; ++i)
                        writer.uint32(/* id 12, wireType 2 =*/98).string(message.urls[i]);
                if (message.attachments != null && message.attachments.length)
                    for (let i = 0; i < message.attachments.length; ++i)
                        $root.email.v1.Attachment.encode(message.attachments[i], writer.uint32(/* id 13, wireType 2 =*/106).fork(), _depth + 1).ldelim();
                if (message.auth != null && $Object.hasOwnProperty.call(message, "auth"))
                    $root.email.v1.AuthenticationResults.encode(message.auth, writer.uint32(/* id 14, wireType 2 =*/114).fork(), _depth + 1).ldelim();
                if (message.rawMessage != null && $Object.hasOwnProperty.call(message, "rawMessage") && message.rawMessage.length)
                    writer.uint32(/* id 15, wireType 2 =*/122).bytes(message.rawMessage);
                if (message.headers != null && message.headers.length)
                    for (let i = 0; i < message.headers.length; ++i)
                        $root.email.v1.Header.encode(message.headers[i], writer.uint32(/* id 16, wireType 2 =*/130).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Encodes the specified EmailEvent message, length delimited. Does not implicitly {@link email.v1.EmailEvent.verify|verify} messages.
             * @function encodeDelimited
             * @memberof email.v1.EmailEvent
             * @static
             * @param {email.v1.EmailEvent.$Properties} message EmailEvent message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            EmailEvent.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes an EmailEvent message from the specified reader or buffer.
             * @function decode
             * @memberof email.v1.EmailEvent
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {email.v1.EmailEvent & email.v1.EmailEvent.$Shape} EmailEvent
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            EmailEvent.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.email.v1.EmailEvent();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.tenantId = value;
                            else
                                delete message.tenantId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.messageId = value;
                            else
                                delete message.messageId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                message.receivedAtMs = value;
                            else
                                delete message.receivedAtMs;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            message.envelope = $root.email.v1.Envelope.decode(reader, reader.size(), $undefined, _depth + 1, message.envelope);
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            message.from = $root.email.v1.Address.decode(reader, reader.size(), $undefined, _depth + 1, message.from);
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            message.replyTo = $root.email.v1.Address.decode(reader, reader.size(), $undefined, _depth + 1, message.replyTo);
                            continue;
                        }
                    case 7: {
                            if (wireType !== 2)
                                break;
                            if (!(message.to && message.to.length))
                                message.to = [];
                            message.to.push($root.email.v1.Address.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 8: {
                            if (wireType !== 2)
                                break;
                            if (!(message.cc && message.cc.length))
                                message.cc = [];
                            message.cc.push($root.email.v1.Address.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 9: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.subject = value;
                            else
                                delete message.subject;
                            continue;
                        }
                    case 10: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.textBody = value;
                            else
                                delete message.textBody;
                            continue;
                        }
                    case 11: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.htmlBody = value;
                            else
                                delete message.htmlBody;
                            continue;
                        }
                    case 12: {
                            if (wireType !== 2)
                                break;
                            if (!(message.urls && message.urls.length))
                                message.urls = [];
                            message.urls.push(reader.stringVerify());
                            continue;
                        }
                    case 13: {
                            if (wireType !== 2)
                                break;
                            if (!(message.attachments && message.attachments.length))
                                message.attachments = [];
                            message.attachments.push($root.email.v1.Attachment.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 14: {
                            if (wireType !== 2)
                                break;
                            message.auth = $root.email.v1.AuthenticationResults.decode(reader, reader.size(), $undefined, _depth + 1, message.auth);
                            continue;
                        }
                    case 15: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.rawMessage = value;
                            else
                                delete message.rawMessage;
                            continue;
                        }
                    case 16: {
                            if (wireType !== 2)
                                break;
                            if (!(message.headers && message.headers.length))
                                message.headers = [];
                            message.headers.push($root.email.v1.Header.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Decodes an EmailEvent message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof email.v1.EmailEvent
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {email.v1.EmailEvent & email.v1.EmailEvent.$Shape} EmailEvent
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            EmailEvent.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies an EmailEvent message.
             * @function verify
             * @memberof email.v1.EmailEvent
             * @static
             * @param {Object.<string,*>} message Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            EmailEvent.verify = function (message, _depth) {
                if (typeof message !== "object" || message === null)
                    return "object expected";
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    return "max depth exceeded";
                if (message.tenantId != null && $Object.hasOwnProperty.call(message, "tenantId"))
                    if (!$util.isString(message.tenantId))
                        return "tenantId: string expected";
                if (message.messageId != null && $Object.hasOwnProperty.call(message, "messageId"))
                    if (!$util.isString(message.messageId))
                        return "messageId: string expected";
                if (message.receivedAtMs != null && $Object.hasOwnProperty.call(message, "receivedAtMs"))
                    if (!$util.isInteger(message.receivedAtMs) && !(message.receivedAtMs && $util.isInteger(message.receivedAtMs.low) && $util.isInteger(message.receivedAtMs.high)))
                        return "receivedAtMs: integer|Long expected";
                if (message.envelope != null && $Object.hasOwnProperty.call(message, "envelope")) {
                    let error = $root.email.v1.Envelope.verify(message.envelope, _depth + 1);
                    if (error)
                        return "envelope." + error;
                }
                if (message.from != null && $Object.hasOwnProperty.call(message, "from")) {
                    let error = $root.email.v1.Address.verify(message.from, _depth + 1);
                    if (error)
                        return "from." + error;
                }
                if (message.replyTo != null && $Object.hasOwnProperty.call(message, "replyTo")) {
                    let error = $root.email.v1.Address.verify(message.replyTo, _depth + 1);
                    if (error)
                        return "replyTo." + error;
                }
                if (message.to != null && $Object.hasOwnProperty.call(message, "to")) {
                    if (!$Array.isArray(message.to))
                        return "to: array expected";
                    for (let i = 0; i < message.to.length; ++i) {
                        let error = $root.email.v1.Address.verify(message.to[i], _depth + 1);
                        if (error)
                            return "to." + error;
                    }
                }
                if (message.cc != null && $Object.hasOwnProperty.call(message, "cc")) {
                    if (!$Array.isArray(message.cc))
                        return "cc: array expected";
                    for (let i = 0; i < message.cc.length; ++i) {
                        let error = $root.email.v1.Address.verify(message.cc[i], _depth + 1);
                        if (error)
                            return "cc." + error;
                    }
                }
                if (message.subject != null && $Object.hasOwnProperty.call(message, "subject"))
                    if (!$util.isString(message.subject))
                        return "subject: string expected";
                if (message.textBody != null && $Object.hasOwnProperty.call(message, "textBody"))
                    if (!$util.isString(message.textBody))
                        return "textBody: string expected";
                if (message.htmlBody != null && $Object.hasOwnProperty.call(message, "htmlBody"))
                    if (!$util.isString(message.htmlBody))
                        return "htmlBody: string expected";
                if (message.urls != null && $Object.hasOwnProperty.call(message, "urls")) {
                    if (!$Array.isArray(message.urls))
                        return "urls: array expected";
                    for (let i = 0; i < message.urls.length; ++i)
                        if (!$util.isString(message.urls[i]))
                            return "urls: string[] expected";
                }
                if (message.attachments != null && $Object.hasOwnProperty.call(message, "attachments")) {
                    if (!$Array.isArray(message.attachments))
                        return "attachments: array expected";
                    for (let i = 0; i < message.attachments.length; ++i) {
                        let error = $root.email.v1.Attachment.verify(message.attachments[i], _depth + 1);
                        if (error)
                            return "attachments." + error;
                    }
                }
                if (message.auth != null && $Object.hasOwnProperty.call(message, "auth")) {
                    let error = $root.email.v1.AuthenticationResults.verify(message.auth, _depth + 1);
                    if (error)
                        return "auth." + error;
                }
                if (message.rawMessage != null && $Object.hasOwnProperty.call(message, "rawMessage"))
                    if (!(message.rawMessage && typeof message.rawMessage.length === "number" || $util.isString(message.rawMessage)))
                        return "rawMessage: buffer expected";
                if (message.headers != null && $Object.hasOwnProperty.call(message, "headers")) {
                    if (!$Array.isArray(message.headers))
                        return "headers: array expected";
                    for (let i = 0; i < message.headers.length; ++i) {
                        let error = $root.email.v1.Header.verify(message.headers[i], _depth + 1);
                        if (error)
                            return "headers." + error;
                    }
                }
                return null;
            };

            /**
             * Creates an EmailEvent message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof email.v1.EmailEvent
             * @static
             * @param {Object.<string,*>} object Plain object
             * @returns {email.v1.EmailEvent} EmailEvent
             */
            EmailEvent.fromObject = function (object, _depth) {
                if (object instanceof $root.email.v1.EmailEvent)
                    return object;
                if (!$util.isObject(object))
                    throw $TypeError(".email.v1.EmailEvent: object expected");
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let message = new $root.email.v1.EmailEvent();
                if (object.tenantId != null)
                    if (typeof object.tenantId !== "string" || object.tenantId.length)
                        message.tenantId = $String(object.tenantId);
                if (object.messageId != null)
                    if (typeof object.messageId !== "string" || object.messageId.length)
                        message.messageId = $String(object.messageId);
                if (object.receivedAtMs != null)
                    if (typeof object.receivedAtMs === "object" ? object.receivedAtMs.low || object.receivedAtMs.high : $Number(object.receivedAtMs) !== 0)
                        if ($util.Long)
                            message.receivedAtMs = $util.Long.fromValue(object.receivedAtMs, false);
                        else if (typeof object.receivedAtMs === "string")
                            message.receivedAtMs = $parseInt(object.receivedAtMs, 10);
                        else if (typeof object.receivedAtMs === "number")
                            message.receivedAtMs = object.receivedAtMs;
                        else if (typeof object.receivedAtMs === "object")
                            message.receivedAtMs = new $util.LongBits(object.receivedAtMs.low >>> 0, object.receivedAtMs.high >>> 0).toNumber();
                if (object.envelope != null) {
                    if (!$util.isObject(object.envelope))
                        throw $TypeError(".email.v1.EmailEvent.envelope: object expected");
                    message.envelope = $root.email.v1.Envelope.fromObject(object.envelope, _depth + 1);
                }
                if (object.from != null) {
                    if (!$util.isObject(object.from))
                        throw $TypeError(".email.v1.EmailEvent.from: object expected");
                    message.from = $root.email.v1.Address.fromObject(object.from, _depth + 1);
                }
                if (object.replyTo != null) {
                    if (!$util.isObject(object.replyTo))
                        throw $TypeError(".email.v1.EmailEvent.replyTo: object expected");
                    message.replyTo = $root.email.v1.Address.fromObject(object.replyTo, _depth + 1);
                }
                if (object.to) {
                    if (!$Array.isArray(object.to))
                        throw $TypeError(".email.v1.EmailEvent.to: array expected");
                    message.to = $Array(object.to.length);
                    for (let i = 0; i < object.to.length; ++i) {
                        if (!$util.isObject(object.to[i]))
                            throw $TypeError(".email.v1.EmailEvent.to: object expected");
                        message.to[i] = $root.email.v1.Address.fromObject(object.to[i], _depth + 1);
                    }
                }
                if (object.cc) {
                    if (!$Array.isArray(object.cc))
                        throw $TypeError(".email.v1.EmailEvent.cc: array expected");
                    message.cc = $Array(object.cc.length);
                    for (let i = 0; i < object.cc.length; ++i) {
                        if (!$util.isObject(object.cc[i]))
                            throw $TypeError(".email.v1.EmailEvent.cc: object expected");
                        message.cc[i] = $root.email.v1.Address.fromObject(object.cc[i], _depth + 1);
                    }
                }
                if (object.subject != null)
                    if (typeof object.subject !== "string" || object.subject.length)
                        message.subject = $String(object.subject);
                if (object.textBody != null)
                    if (typeof object.textBody !== "string" || object.textBody.length)
                        message.textBody = $String(object.textBody);
                if (object.htmlBody != null)
                    if (typeof object.htmlBody !== "string" || object.htmlBody.length)
                        message.htmlBody = $String(object.htmlBody);
                if (object.urls) {
                    if (!$Array.isArray(object.urls))
                        throw $TypeError(".email.v1.EmailEvent.urls: array expected");
                    message.urls = $Array(object.urls.length);
                    for (let i = 0; i < object.urls.length; ++i)
                        message.urls[i] = $String(object.urls[i]);
                }
                if (object.attachments) {
                    if (!$Array.isArray(object.attachments))
                        throw $TypeError(".email.v1.EmailEvent.attachments: array expected");
                    message.attachments = $Array(object.attachments.length);
                    for (let i = 0; i < object.attachments.length; ++i) {
                        if (!$util.isObject(object.attachments[i]))
                            throw $TypeError(".email.v1.EmailEvent.attachments: object expected");
                        message.attachments[i] = $root.email.v1.Attachment.fromObject(object.attachments[i], _depth + 1);
                    }
                }
                if (object.auth != null) {
                    if (!$util.isObject(object.auth))
                        throw $TypeError(".email.v1.EmailEvent.auth: object expected");
                    message.auth = $root.email.v1.AuthenticationResults.fromObject(object.auth, _depth + 1);
                }
                if (object.rawMessage != null)
                    if (object.rawMessage.length)
                        if (typeof object.rawMessage === "string")
                            $util.base64.decode(object.rawMessage, message.rawMessage = $util.newBuffer($util.base64.length(object.rawMessage)), 0);
                        else if (object.rawMessage.length >= 0)
                            message.rawMessage = object.rawMessage;
                if (object.headers) {
                    if (!$Array.isArray(object.headers))
                        throw $TypeError(".email.v1.EmailEvent.headers: array expected");
                    message.headers = $Array(object.headers.length);
                    for (let i = 0; i < object.headers.length; ++i) {
                        if (!$util.isObject(object.headers[i]))
                            throw $TypeError(".email.v1.EmailEvent.headers: object expected");
                        message.headers[i] = $root.email.v1.Header.fromObject(object.headers[i], _depth + 1);
                    }
                }
                return message;
            };

            /**
             * Creates a plain object from an EmailEvent message. Also converts values to other types if specified.
             * @function toObject
             * @memberof email.v1.EmailEvent
             * @static
             * @param {email.v1.EmailEvent} message EmailEvent
             * @param {$protobuf.IConversionOptions} [options] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            EmailEvent.toObject = function (message, options, _depth) {
                if (!options)
                    options = {};
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let object = {};
                if (options.arrays || options.defaults) {
                    object.to = [];
                    object.cc = [];
                    object.urls = [];
                    object.attachments = [];
                    object.headers = [];
                }
                if (options.defaults) {
                    object.tenantId = "";
                    object.messageId = "";
                    if ($util.Long) {
                        let long = new $util.Long(0, 0, false);
                        object.receivedAtMs = options.longs === $String ? long.toString() : options.longs === $Number ? long.toNumber() : typeof $BigInt !== "undefined" && options.longs === $BigInt ? long.toBigInt() : long;
                    } else
                        object.receivedAtMs = options.longs === $String ? "0" : typeof $BigInt !== "undefined" && options.longs === $BigInt ? $BigInt("0") : 0;
                    object.envelope = null;
                    object.from = null;
                    object.replyTo = null;
                    object.subject = "";
                    object.textBody = "";
                    object.htmlBody = "";
                    object.auth = null;
                    if (options.bytes === $String)
                        object.rawMessage = "";
                    else {
                        object.rawMessage = [];
                        if (options.bytes !== $Array)
                            object.rawMessage = $util.newBuffer(object.rawMessage);
                    }
                }
                if (message.tenantId != null && $Object.hasOwnProperty.call(message, "tenantId"))
                    object.tenantId = message.tenantId;
                if (message.messageId != null && $Object.hasOwnProperty.call(message, "messageId"))
                    object.messageId = message.messageId;
                if (message.receivedAtMs != null && $Object.hasOwnProperty.call(message, "receivedAtMs"))
                    if (typeof $BigInt !== "undefined" && options.longs === $BigInt)
                        object.receivedAtMs = typeof message.receivedAtMs === "number" ? $BigInt(message.receivedAtMs) : $util.Long.fromBits(message.receivedAtMs.low >>> 0, message.receivedAtMs.high >>> 0, false).toBigInt();
                    else if (typeof message.receivedAtMs === "number")
                        object.receivedAtMs = options.longs === $String ? $String(message.receivedAtMs) : message.receivedAtMs;
                    else
                        object.receivedAtMs = options.longs === $String ? $util.Long.prototype.toString.call(message.receivedAtMs) : options.longs === $Number ? new $util.LongBits(message.receivedAtMs.low >>> 0, message.receivedAtMs.high >>> 0).toNumber() : message.receivedAtMs;
                if (message.envelope != null && $Object.hasOwnProperty.call(message, "envelope"))
                    object.envelope = $root.email.v1.Envelope.toObject(message.envelope, options, _depth + 1);
                if (message.from != null && $Object.hasOwnProperty.call(message, "from"))
                    object.from = $root.email.v1.Address.toObject(message.from, options, _depth + 1);
                if (message.replyTo != null && $Object.hasOwnProperty.call(message, "replyTo"))
                    object.replyTo = $root.email.v1.Address.toObject(message.replyTo, options, _depth + 1);
                if (message.to && message.to.length) {
                    object.to = $Array(message.to.length);
                    for (let j = 0; j < message.to.length; ++j)
                        object.to[j] = $root.email.v1.Address.toObject(message.to[j], options, _depth + 1);
                }
                if (message.cc && message.cc.length) {
                    object.cc = $Array(message.cc.length);
                    for (let j = 0; j < message.cc.length; ++j)
                        object.cc[j] = $root.email.v1.Address.toObject(message.cc[j], options, _depth + 1);
                }
                if (message.subject != null && $Object.hasOwnProperty.call(message, "subject"))
                    object.subject = message.subject;
                if (message.textBody != null && $Object.hasOwnProperty.call(message, "textBody"))
                    object.textBody = message.textBody;
                if (message.htmlBody != null && $Object.hasOwnProperty.call(message, "htmlBody"))
                    object.htmlBody = message.htmlBody;
                if (message.urls && message.urls.length) {
                    object.urls = $Array(message.urls.length);
                    for (let j = 0; j < message.urls.length; ++j)
                        object.urls[j] = message.urls[j];
                }
                if (message.attachments && message.attachments.length) {
                    object.attachments = $Array(message.attachments.length);
                    for (let j = 0; j < message.attachments.length; ++j)
                        object.attachments[j] = $root.email.v1.Attachment.toObject(message.attachments[j], options, _depth + 1);
                }
                if (message.auth != null && $Object.hasOwnProperty.call(message, "auth"))
                    object.auth = $root.email.v1.AuthenticationResults.toObject(message.auth, options, _depth + 1);
                if (message.rawMessage != null && $Object.hasOwnProperty.call(message, "rawMessage"))
                    object.rawMessage = options.bytes === $String ? $util.base64.encode(message.rawMessage, 0, message.rawMessage.length) : options.bytes === $Array ? $Array.prototype.slice.call(message.rawMessage) : message.rawMessage;
                if (message.headers && message.headers.length) {
                    object.headers = $Array(message.headers.length);
                    for (let j = 0; j < message.headers.length; ++j)
                        object.headers[j] = $root.email.v1.Header.toObject(message.headers[j], options, _depth + 1);
                }
                return object;
            };

            /**
             * Converts this EmailEvent to JSON.
             * @function toJSON
             * @memberof email.v1.EmailEvent
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            EmailEvent.prototype.toJSON = function() {
                return EmailEvent.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for EmailEvent
             * @function getTypeUrl
             * @memberof email.v1.EmailEvent
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            EmailEvent.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/email.v1.EmailEvent";
            };

            return EmailEvent;
        })();

        v1.Envelope = (function() {

            /**
             * Properties of an Envelope.
             * @typedef {Object} email.v1.Envelope.$Properties
             * @property {string|null} [mailFrom] Envelope mailFrom
             * @property {Array.<string>|null} [rcptTo] Envelope rcptTo
             * @property {string|null} [clientIp] Envelope clientIp
             * @property {string|null} [helo] Envelope helo
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Envelope.
             * @memberof email.v1
             * @interface IEnvelope
             * @augments email.v1.Envelope.$Properties
             * @deprecated Use email.v1.Envelope.$Properties instead.
             */

            /**
             * Shape of an Envelope.
             * @typedef {email.v1.Envelope.$Properties} email.v1.Envelope.$Shape
             */

            /**
             * Constructs a new Envelope.
             * @memberof email.v1
             * @classdesc Represents an Envelope.
             * @constructor
             * @param {email.v1.Envelope.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Envelope = function (properties) {
                this.rcptTo = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Envelope mailFrom.
             * @member {string} mailFrom
             * @memberof email.v1.Envelope
             * @instance
             */
            Envelope.prototype.mailFrom = "";

            /**
             * Envelope rcptTo.
             * @member {Array.<string>} rcptTo
             * @memberof email.v1.Envelope
             * @instance
             */
            Envelope.prototype.rcptTo = $util.emptyArray;

            /**
             * Envelope clientIp.
             * @member {string} clientIp
             * @memberof email.v1.Envelope
             * @instance
             */
            Envelope.prototype.clientIp = "";

            /**
             * Envelope helo.
             * @member {string} helo
             * @memberof email.v1.Envelope
             * @instance
             */
            Envelope.prototype.helo = "";

            /**
             * Creates a new Envelope instance using the specified properties.
             * @function create
             * @memberof email.v1.Envelope
             * @static
             * @param {email.v1.Envelope.$Properties=} [properties] Properties to set
             * @returns {email.v1.Envelope} Envelope instance
             * @type {{
             *   (properties: email.v1.Envelope.$Shape): email.v1.Envelope & email.v1.Envelope.$Shape;
             *   (properties?: email.v1.Envelope.$Properties): email.v1.Envelope;
             * }}
             */
            Envelope.create = function(properties) {
                return new Envelope(properties);
            };

            /**
             * Encodes the specified Envelope message. Does not implicitly {@link email.v1.Envelope.verify|verify} messages.
             * @function encode
             * @memberof email.v1.Envelope
             * @static
             * @param {email.v1.Envelope.$Properties} message Envelope message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Envelope.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.mailFrom != null && $Object.hasOwnProperty.call(message, "mailFrom") && message.mailFrom !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.mailFrom);
                if (message.rcptTo != null && message.rcptTo.length)
                    for (let i = 0; i < message.rcptTo.length; ++i)
                        writer.uint32(/* id 2, wireType 2 =*/18).string(message.rcptTo[i]);
                if (message.clientIp != null && $Object.hasOwnProperty.call(message, "clientIp") && message.clientIp !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.clientIp);
                if (message.helo != null && $Object.hasOwnProperty.call(message, "helo") && message.helo !== "")
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.helo);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Encodes the specified Envelope message, length delimited. Does not implicitly {@link email.v1.Envelope.verify|verify} messages.
             * @function encodeDelimited
             * @memberof email.v1.Envelope
             * @static
             * @param {email.v1.Envelope.$Properties} message Envelope message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Envelope.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes an Envelope message from the specified reader or buffer.
             * @function decode
             * @memberof email.v1.Envelope
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {email.v1.Envelope & email.v1.Envelope.$Shape} Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Envelope.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.email.v1.Envelope();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.mailFrom = value;
                            else
                                delete message.mailFrom;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if (!(message.rcptTo && message.rcptTo.length))
                                message.rcptTo = [];
                            message.rcptTo.push(reader.stringVerify());
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.clientIp = value;
                            else
                                delete message.clientIp;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.helo = value;
                            else
                                delete message.helo;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Decodes an Envelope message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof email.v1.Envelope
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {email.v1.Envelope & email.v1.Envelope.$Shape} Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Envelope.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies an Envelope message.
             * @function verify
             * @memberof email.v1.Envelope
             * @static
             * @param {Object.<string,*>} message Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Envelope.verify = function (message, _depth) {
                if (typeof message !== "object" || message === null)
                    return "object expected";
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    return "max depth exceeded";
                if (message.mailFrom != null && $Object.hasOwnProperty.call(message, "mailFrom"))
                    if (!$util.isString(message.mailFrom))
                        return "mailFrom: string expected";
                if (message.rcptTo != null && $Object.hasOwnProperty.call(message, "rcptTo")) {
                    if (!$Array.isArray(message.rcptTo))
                        return "rcptTo: array expected";
                    for (let i = 0; i < message.rcptTo.length; ++i)
                        if (!$util.isString(message.rcptTo[i]))
                            return "rcptTo: string[] expected";
                }
                if (message.clientIp != null && $Object.hasOwnProperty.call(message, "clientIp"))
                    if (!$util.isString(message.clientIp))
                        return "clientIp: string expected";
                if (message.helo != null && $Object.hasOwnProperty.call(message, "helo"))
                    if (!$util.isString(message.helo))
                        return "helo: string expected";
                return null;
            };

            /**
             * Creates an Envelope message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof email.v1.Envelope
             * @static
             * @param {Object.<string,*>} object Plain object
             * @returns {email.v1.Envelope} Envelope
             */
            Envelope.fromObject = function (object, _depth) {
                if (object instanceof $root.email.v1.Envelope)
                    return object;
                if (!$util.isObject(object))
                    throw $TypeError(".email.v1.Envelope: object expected");
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let message = new $root.email.v1.Envelope();
                if (object.mailFrom != null)
                    if (typeof object.mailFrom !== "string" || object.mailFrom.length)
                        message.mailFrom = $String(object.mailFrom);
                if (object.rcptTo) {
                    if (!$Array.isArray(object.rcptTo))
                        throw $TypeError(".email.v1.Envelope.rcptTo: array expected");
                    message.rcptTo = $Array(object.rcptTo.length);
                    for (let i = 0; i < object.rcptTo.length; ++i)
                        message.rcptTo[i] = $String(object.rcptTo[i]);
                }
                if (object.clientIp != null)
                    if (typeof object.clientIp !== "string" || object.clientIp.length)
                        message.clientIp = $String(object.clientIp);
                if (object.helo != null)
                    if (typeof object.helo !== "string" || object.helo.length)
                        message.helo = $String(object.helo);
                return message;
            };

            /**
             * Creates a plain object from an Envelope message. Also converts values to other types if specified.
             * @function toObject
             * @memberof email.v1.Envelope
             * @static
             * @param {email.v1.Envelope} message Envelope
             * @param {$protobuf.IConversionOptions} [options] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Envelope.toObject = function (message, options, _depth) {
                if (!options)
                    options = {};
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let object = {};
                if (options.arrays || options.defaults)
                    object.rcptTo = [];
                if (options.defaults) {
                    object.mailFrom = "";
                    object.clientIp = "";
                    object.helo = "";
                }
                if (message.mailFrom != null && $Object.hasOwnProperty.call(message, "mailFrom"))
                    object.mailFrom = message.mailFrom;
                if (message.rcptTo && message.rcptTo.length) {
                    object.rcptTo = $Array(message.rcptTo.length);
                    for (let j = 0; j < message.rcptTo.length; ++j)
                        object.rcptTo[j] = message.rcptTo[j];
                }
                if (message.clientIp != null && $Object.hasOwnProperty.call(message, "clientIp"))
                    object.clientIp = message.clientIp;
                if (message.helo != null && $Object.hasOwnProperty.call(message, "helo"))
                    object.helo = message.helo;
                return object;
            };

            /**
             * Converts this Envelope to JSON.
             * @function toJSON
             * @memberof email.v1.Envelope
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Envelope.prototype.toJSON = function() {
                return Envelope.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Envelope
             * @function getTypeUrl
             * @memberof email.v1.Envelope
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Envelope.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/email.v1.Envelope";
            };

            return Envelope;
        })();

        v1.Address = (function() {

            /**
             * Properties of an Address.
             * @typedef {Object} email.v1.Address.$Properties
             * @property {string|null} [name] Address name
             * @property {string|null} [address] Address address
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Address.
             * @memberof email.v1
             * @interface IAddress
             * @augments email.v1.Address.$Properties
             * @deprecated Use email.v1.Address.$Properties instead.
             */

            /**
             * Shape of an Address.
             * @typedef {email.v1.Address.$Properties} email.v1.Address.$Shape
             */

            /**
             * Constructs a new Address.
             * @memberof email.v1
             * @classdesc Represents an Address.
             * @constructor
             * @param {email.v1.Address.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Address = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Address name.
             * @member {string} name
             * @memberof email.v1.Address
             * @instance
             */
            Address.prototype.name = "";

            /**
             * Address address.
             * @member {string} address
             * @memberof email.v1.Address
             * @instance
             */
            Address.prototype.address = "";

            /**
             * Creates a new Address instance using the specified properties.
             * @function create
             * @memberof email.v1.Address
             * @static
             * @param {email.v1.Address.$Properties=} [properties] Properties to set
             * @returns {email.v1.Address} Address instance
             * @type {{
             *   (properties: email.v1.Address.$Shape): email.v1.Address & email.v1.Address.$Shape;
             *   (properties?: email.v1.Address.$Properties): email.v1.Address;
             * }}
             */
            Address.create = function(properties) {
                return new Address(properties);
            };

            /**
             * Encodes the specified Address message. Does not implicitly {@link email.v1.Address.verify|verify} messages.
             * @function encode
             * @memberof email.v1.Address
             * @static
             * @param {email.v1.Address.$Properties} message Address message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Address.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.name != null && $Object.hasOwnProperty.call(message, "name") && message.name !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.name);
                if (message.address != null && $Object.hasOwnProperty.call(message, "address") && message.address !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.address);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Encodes the specified Address message, length delimited. Does not implicitly {@link email.v1.Address.verify|verify} messages.
             * @function encodeDelimited
             * @memberof email.v1.Address
             * @static
             * @param {email.v1.Address.$Properties} message Address message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Address.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes an Address message from the specified reader or buffer.
             * @function decode
             * @memberof email.v1.Address
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {email.v1.Address & email.v1.Address.$Shape} Address
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Address.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.email.v1.Address();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.name = value;
                            else
                                delete message.name;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.address = value;
                            else
                                delete message.address;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Decodes an Address message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof email.v1.Address
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {email.v1.Address & email.v1.Address.$Shape} Address
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Address.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies an Address message.
             * @function verify
             * @memberof email.v1.Address
             * @static
             * @param {Object.<string,*>} message Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Address.verify = function (message, _depth) {
                if (typeof message !== "object" || message === null)
                    return "object expected";
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    return "max depth exceeded";
                if (message.name != null && $Object.hasOwnProperty.call(message, "name"))
                    if (!$util.isString(message.name))
                        return "name: string expected";
                if (message.address != null && $Object.hasOwnProperty.call(message, "address"))
                    if (!$util.isString(message.address))
                        return "address: string expected";
                return null;
            };

            /**
             * Creates an Address message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof email.v1.Address
             * @static
             * @param {Object.<string,*>} object Plain object
             * @returns {email.v1.Address} Address
             */
            Address.fromObject = function (object, _depth) {
                if (object instanceof $root.email.v1.Address)
                    return object;
                if (!$util.isObject(object))
                    throw $TypeError(".email.v1.Address: object expected");
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let message = new $root.email.v1.Address();
                if (object.name != null)
                    if (typeof object.name !== "string" || object.name.length)
                        message.name = $String(object.name);
                if (object.address != null)
                    if (typeof object.address !== "string" || object.address.length)
                        message.address = $String(object.address);
                return message;
            };

            /**
             * Creates a plain object from an Address message. Also converts values to other types if specified.
             * @function toObject
             * @memberof email.v1.Address
             * @static
             * @param {email.v1.Address} message Address
             * @param {$protobuf.IConversionOptions} [options] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Address.toObject = function (message, options, _depth) {
                if (!options)
                    options = {};
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let object = {};
                if (options.defaults) {
                    object.name = "";
                    object.address = "";
                }
                if (message.name != null && $Object.hasOwnProperty.call(message, "name"))
                    object.name = message.name;
                if (message.address != null && $Object.hasOwnProperty.call(message, "address"))
                    object.address = message.address;
                return object;
            };

            /**
             * Converts this Address to JSON.
             * @function toJSON
             * @memberof email.v1.Address
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Address.prototype.toJSON = function() {
                return Address.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Address
             * @function getTypeUrl
             * @memberof email.v1.Address
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Address.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/email.v1.Address";
            };

            return Address;
        })();

        v1.Attachment = (function() {

            /**
             * Properties of an Attachment.
             * @typedef {Object} email.v1.Attachment.$Properties
             * @property {string|null} [filename] Attachment filename
             * @property {string|null} [contentType] Attachment contentType
             * @property {number|null} [sizeBytes] Attachment sizeBytes
             * @property {string|null} [sha256] Attachment sha256
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Attachment.
             * @memberof email.v1
             * @interface IAttachment
             * @augments email.v1.Attachment.$Properties
             * @deprecated Use email.v1.Attachment.$Properties instead.
             */

            /**
             * Shape of an Attachment.
             * @typedef {email.v1.Attachment.$Properties} email.v1.Attachment.$Shape
             */

            /**
             * Constructs a new Attachment.
             * @memberof email.v1
             * @classdesc Represents an Attachment.
             * @constructor
             * @param {email.v1.Attachment.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Attachment = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Attachment filename.
             * @member {string} filename
             * @memberof email.v1.Attachment
             * @instance
             */
            Attachment.prototype.filename = "";

            /**
             * Attachment contentType.
             * @member {string} contentType
             * @memberof email.v1.Attachment
             * @instance
             */
            Attachment.prototype.contentType = "";

            /**
             * Attachment sizeBytes.
             * @member {number} sizeBytes
             * @memberof email.v1.Attachment
             * @instance
             */
            Attachment.prototype.sizeBytes = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Attachment sha256.
             * @member {string} sha256
             * @memberof email.v1.Attachment
             * @instance
             */
            Attachment.prototype.sha256 = "";

            /**
             * Creates a new Attachment instance using the specified properties.
             * @function create
             * @memberof email.v1.Attachment
             * @static
             * @param {email.v1.Attachment.$Properties=} [properties] Properties to set
             * @returns {email.v1.Attachment} Attachment instance
             * @type {{
             *   (properties: email.v1.Attachment.$Shape): email.v1.Attachment & email.v1.Attachment.$Shape;
             *   (properties?: email.v1.Attachment.$Properties): email.v1.Attachment;
             * }}
             */
            Attachment.create = function(properties) {
                return new Attachment(properties);
            };

            /**
             * Encodes the specified Attachment message. Does not implicitly {@link email.v1.Attachment.verify|verify} messages.
             * @function encode
             * @memberof email.v1.Attachment
             * @static
             * @param {email.v1.Attachment.$Properties} message Attachment message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Attachment.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.filename != null && $Object.hasOwnProperty.call(message, "filename") && message.filename !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.filename);
                if (message.contentType != null && $Object.hasOwnProperty.call(message, "contentType") && message.contentType !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.contentType);
                if (message.sizeBytes != null && $Object.hasOwnProperty.call(message, "sizeBytes") && (typeof message.sizeBytes === "object" ? message.sizeBytes.low || message.sizeBytes.high : message.sizeBytes !== 0))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint64(message.sizeBytes);
                if (message.sha256 != null && $Object.hasOwnProperty.call(message, "sha256") && message.sha256 !== "")
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.sha256);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Encodes the specified Attachment message, length delimited. Does not implicitly {@link email.v1.Attachment.verify|verify} messages.
             * @function encodeDelimited
             * @memberof email.v1.Attachment
             * @static
             * @param {email.v1.Attachment.$Properties} message Attachment message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Attachment.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes an Attachment message from the specified reader or buffer.
             * @function decode
             * @memberof email.v1.Attachment
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {email.v1.Attachment & email.v1.Attachment.$Shape} Attachment
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Attachment.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.email.v1.Attachment();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.filename = value;
                            else
                                delete message.filename;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.contentType = value;
                            else
                                delete message.contentType;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.sizeBytes = value;
                            else
                                delete message.sizeBytes;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.sha256 = value;
                            else
                                delete message.sha256;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Decodes an Attachment message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof email.v1.Attachment
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {email.v1.Attachment & email.v1.Attachment.$Shape} Attachment
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Attachment.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies an Attachment message.
             * @function verify
             * @memberof email.v1.Attachment
             * @static
             * @param {Object.<string,*>} message Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Attachment.verify = function (message, _depth) {
                if (typeof message !== "object" || message === null)
                    return "object expected";
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    return "max depth exceeded";
                if (message.filename != null && $Object.hasOwnProperty.call(message, "filename"))
                    if (!$util.isString(message.filename))
                        return "filename: string expected";
                if (message.contentType != null && $Object.hasOwnProperty.call(message, "contentType"))
                    if (!$util.isString(message.contentType))
                        return "contentType: string expected";
                if (message.sizeBytes != null && $Object.hasOwnProperty.call(message, "sizeBytes"))
                    if (!$util.isInteger(message.sizeBytes) && !(message.sizeBytes && $util.isInteger(message.sizeBytes.low) && $util.isInteger(message.sizeBytes.high)))
                        return "sizeBytes: integer|Long expected";
                if (message.sha256 != null && $Object.hasOwnProperty.call(message, "sha256"))
                    if (!$util.isString(message.sha256))
                        return "sha256: string expected";
                return null;
            };

            /**
             * Creates an Attachment message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof email.v1.Attachment
             * @static
             * @param {Object.<string,*>} object Plain object
             * @returns {email.v1.Attachment} Attachment
             */
            Attachment.fromObject = function (object, _depth) {
                if (object instanceof $root.email.v1.Attachment)
                    return object;
                if (!$util.isObject(object))
                    throw $TypeError(".email.v1.Attachment: object expected");
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let message = new $root.email.v1.Attachment();
                if (object.filename != null)
                    if (typeof object.filename !== "string" || object.filename.length)
                        message.filename = $String(object.filename);
                if (object.contentType != null)
                    if (typeof object.contentType !== "string" || object.contentType.length)
                        message.contentType = $String(object.contentType);
                if (object.sizeBytes != null)
                    if (typeof object.sizeBytes === "object" ? object.sizeBytes.low || object.sizeBytes.high : $Number(object.sizeBytes) !== 0)
                        if ($util.Long)
                            message.sizeBytes = $util.Long.fromValue(object.sizeBytes, true);
                        else if (typeof object.sizeBytes === "string")
                            message.sizeBytes = $parseInt(object.sizeBytes, 10);
                        else if (typeof object.sizeBytes === "number")
                            message.sizeBytes = object.sizeBytes;
                        else if (typeof object.sizeBytes === "object")
                            message.sizeBytes = new $util.LongBits(object.sizeBytes.low >>> 0, object.sizeBytes.high >>> 0).toNumber(true);
                if (object.sha256 != null)
                    if (typeof object.sha256 !== "string" || object.sha256.length)
                        message.sha256 = $String(object.sha256);
                return message;
            };

            /**
             * Creates a plain object from an Attachment message. Also converts values to other types if specified.
             * @function toObject
             * @memberof email.v1.Attachment
             * @static
             * @param {email.v1.Attachment} message Attachment
             * @param {$protobuf.IConversionOptions} [options] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Attachment.toObject = function (message, options, _depth) {
                if (!options)
                    options = {};
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let object = {};
                if (options.defaults) {
                    object.filename = "";
                    object.contentType = "";
                    if ($util.Long) {
                        let long = new $util.Long(0, 0, true);
                        object.sizeBytes = options.longs === $String ? long.toString() : options.longs === $Number ? long.toNumber() : typeof $BigInt !== "undefined" && options.longs === $BigInt ? long.toBigInt() : long;
                    } else
                        object.sizeBytes = options.longs === $String ? "0" : typeof $BigInt !== "undefined" && options.longs === $BigInt ? $BigInt("0") : 0;
                    object.sha256 = "";
                }
                if (message.filename != null && $Object.hasOwnProperty.call(message, "filename"))
                    object.filename = message.filename;
                if (message.contentType != null && $Object.hasOwnProperty.call(message, "contentType"))
                    object.contentType = message.contentType;
                if (message.sizeBytes != null && $Object.hasOwnProperty.call(message, "sizeBytes"))
                    if (typeof $BigInt !== "undefined" && options.longs === $BigInt)
                        object.sizeBytes = typeof message.sizeBytes === "number" ? $BigInt(message.sizeBytes) : $util.Long.fromBits(message.sizeBytes.low >>> 0, message.sizeBytes.high >>> 0, true).toBigInt();
                    else if (typeof message.sizeBytes === "number")
                        object.sizeBytes = options.longs === $String ? $String(message.sizeBytes) : message.sizeBytes;
                    else
                        object.sizeBytes = options.longs === $String ? $util.Long.prototype.toString.call(message.sizeBytes) : options.longs === $Number ? new $util.LongBits(message.sizeBytes.low >>> 0, message.sizeBytes.high >>> 0).toNumber(true) : message.sizeBytes;
                if (message.sha256 != null && $Object.hasOwnProperty.call(message, "sha256"))
                    object.sha256 = message.sha256;
                return object;
            };

            /**
             * Converts this Attachment to JSON.
             * @function toJSON
             * @memberof email.v1.Attachment
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Attachment.prototype.toJSON = function() {
                return Attachment.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Attachment
             * @function getTypeUrl
             * @memberof email.v1.Attachment
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Attachment.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/email.v1.Attachment";
            };

            return Attachment;
        })();

        v1.Header = (function() {

            /**
             * Properties of a Header.
             * @typedef {Object} email.v1.Header.$Properties
             * @property {string|null} [name] Header name
             * @property {string|null} [value] Header value
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Header.
             * @memberof email.v1
             * @interface IHeader
             * @augments email.v1.Header.$Properties
             * @deprecated Use email.v1.Header.$Properties instead.
             */

            /**
             * Shape of a Header.
             * @typedef {email.v1.Header.$Properties} email.v1.Header.$Shape
             */

            /**
             * Constructs a new Header.
             * @memberof email.v1
             * @classdesc Represents a Header.
             * @constructor
             * @param {email.v1.Header.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Header = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Header name.
             * @member {string} name
             * @memberof email.v1.Header
             * @instance
             */
            Header.prototype.name = "";

            /**
             * Header value.
             * @member {string} value
             * @memberof email.v1.Header
             * @instance
             */
            Header.prototype.value = "";

            /**
             * Creates a new Header instance using the specified properties.
             * @function create
             * @memberof email.v1.Header
             * @static
             * @param {email.v1.Header.$Properties=} [properties] Properties to set
             * @returns {email.v1.Header} Header instance
             * @type {{
             *   (properties: email.v1.Header.$Shape): email.v1.Header & email.v1.Header.$Shape;
             *   (properties?: email.v1.Header.$Properties): email.v1.Header;
             * }}
             */
            Header.create = function(properties) {
                return new Header(properties);
            };

            /**
             * Encodes the specified Header message. Does not implicitly {@link email.v1.Header.verify|verify} messages.
             * @function encode
             * @memberof email.v1.Header
             * @static
             * @param {email.v1.Header.$Properties} message Header message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Header.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.name != null && $Object.hasOwnProperty.call(message, "name") && message.name !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.name);
                if (message.value != null && $Object.hasOwnProperty.call(message, "value") && message.value !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.value);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Encodes the specified Header message, length delimited. Does not implicitly {@link email.v1.Header.verify|verify} messages.
             * @function encodeDelimited
             * @memberof email.v1.Header
             * @static
             * @param {email.v1.Header.$Properties} message Header message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Header.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes a Header message from the specified reader or buffer.
             * @function decode
             * @memberof email.v1.Header
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {email.v1.Header & email.v1.Header.$Shape} Header
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Header.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.email.v1.Header();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.name = value;
                            else
                                delete message.name;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.value = value;
                            else
                                delete message.value;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Decodes a Header message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof email.v1.Header
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {email.v1.Header & email.v1.Header.$Shape} Header
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Header.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies a Header message.
             * @function verify
             * @memberof email.v1.Header
             * @static
             * @param {Object.<string,*>} message Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Header.verify = function (message, _depth) {
                if (typeof message !== "object" || message === null)
                    return "object expected";
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    return "max depth exceeded";
                if (message.name != null && $Object.hasOwnProperty.call(message, "name"))
                    if (!$util.isString(message.name))
                        return "name: string expected";
                if (message.value != null && $Object.hasOwnProperty.call(message, "value"))
                    if (!$util.isString(message.value))
                        return "value: string expected";
                return null;
            };

            /**
             * Creates a Header message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof email.v1.Header
             * @static
             * @param {Object.<string,*>} object Plain object
             * @returns {email.v1.Header} Header
             */
            Header.fromObject = function (object, _depth) {
                if (object instanceof $root.email.v1.Header)
                    return object;
                if (!$util.isObject(object))
                    throw $TypeError(".email.v1.Header: object expected");
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let message = new $root.email.v1.Header();
                if (object.name != null)
                    if (typeof object.name !== "string" || object.name.length)
                        message.name = $String(object.name);
                if (object.value != null)
                    if (typeof object.value !== "string" || object.value.length)
                        message.value = $String(object.value);
                return message;
            };

            /**
             * Creates a plain object from a Header message. Also converts values to other types if specified.
             * @function toObject
             * @memberof email.v1.Header
             * @static
             * @param {email.v1.Header} message Header
             * @param {$protobuf.IConversionOptions} [options] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Header.toObject = function (message, options, _depth) {
                if (!options)
                    options = {};
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let object = {};
                if (options.defaults) {
                    object.name = "";
                    object.value = "";
                }
                if (message.name != null && $Object.hasOwnProperty.call(message, "name"))
                    object.name = message.name;
                if (message.value != null && $Object.hasOwnProperty.call(message, "value"))
                    object.value = message.value;
                return object;
            };

            /**
             * Converts this Header to JSON.
             * @function toJSON
             * @memberof email.v1.Header
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Header.prototype.toJSON = function() {
                return Header.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Header
             * @function getTypeUrl
             * @memberof email.v1.Header
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Header.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/email.v1.Header";
            };

            return Header;
        })();

        /**
         * AuthResult enum.
         * @name email.v1.AuthResult
         * @enum {number}
         * @property {number} AUTH_RESULT_UNSPECIFIED=0 AUTH_RESULT_UNSPECIFIED value
         * @property {number} AUTH_RESULT_NONE=1 AUTH_RESULT_NONE value
         * @property {number} AUTH_RESULT_PASS=2 AUTH_RESULT_PASS value
         * @property {number} AUTH_RESULT_FAIL=3 AUTH_RESULT_FAIL value
         * @property {number} AUTH_RESULT_SOFTFAIL=4 AUTH_RESULT_SOFTFAIL value
         * @property {number} AUTH_RESULT_NEUTRAL=5 AUTH_RESULT_NEUTRAL value
         * @property {number} AUTH_RESULT_TEMPERROR=6 AUTH_RESULT_TEMPERROR value
         * @property {number} AUTH_RESULT_PERMERROR=7 AUTH_RESULT_PERMERROR value
         */
        v1.AuthResult = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "AUTH_RESULT_UNSPECIFIED"] = 0;
            values[valuesById[1] = "AUTH_RESULT_NONE"] = 1;
            values[valuesById[2] = "AUTH_RESULT_PASS"] = 2;
            values[valuesById[3] = "AUTH_RESULT_FAIL"] = 3;
            values[valuesById[4] = "AUTH_RESULT_SOFTFAIL"] = 4;
            values[valuesById[5] = "AUTH_RESULT_NEUTRAL"] = 5;
            values[valuesById[6] = "AUTH_RESULT_TEMPERROR"] = 6;
            values[valuesById[7] = "AUTH_RESULT_PERMERROR"] = 7;
            return values;
        })();

        v1.AuthenticationResults = (function() {

            /**
             * Properties of an AuthenticationResults.
             * @typedef {Object} email.v1.AuthenticationResults.$Properties
             * @property {email.v1.AuthResult|null} [spf] AuthenticationResults spf
             * @property {email.v1.AuthResult|null} [dkim] AuthenticationResults dkim
             * @property {email.v1.AuthResult|null} [dmarc] AuthenticationResults dmarc
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an AuthenticationResults.
             * @memberof email.v1
             * @interface IAuthenticationResults
             * @augments email.v1.AuthenticationResults.$Properties
             * @deprecated Use email.v1.AuthenticationResults.$Properties instead.
             */

            /**
             * Shape of an AuthenticationResults.
             * @typedef {email.v1.AuthenticationResults.$Properties} email.v1.AuthenticationResults.$Shape
             */

            /**
             * Constructs a new AuthenticationResults.
             * @memberof email.v1
             * @classdesc Represents an AuthenticationResults.
             * @constructor
             * @param {email.v1.AuthenticationResults.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const AuthenticationResults = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * AuthenticationResults spf.
             * @member {email.v1.AuthResult} spf
             * @memberof email.v1.AuthenticationResults
             * @instance
             */
            AuthenticationResults.prototype.spf = 0;

            /**
             * AuthenticationResults dkim.
             * @member {email.v1.AuthResult} dkim
             * @memberof email.v1.AuthenticationResults
             * @instance
             */
            AuthenticationResults.prototype.dkim = 0;

            /**
             * AuthenticationResults dmarc.
             * @member {email.v1.AuthResult} dmarc
             * @memberof email.v1.AuthenticationResults
             * @instance
             */
            AuthenticationResults.prototype.dmarc = 0;

            /**
             * Creates a new AuthenticationResults instance using the specified properties.
             * @function create
             * @memberof email.v1.AuthenticationResults
             * @static
             * @param {email.v1.AuthenticationResults.$Properties=} [properties] Properties to set
             * @returns {email.v1.AuthenticationResults} AuthenticationResults instance
             * @type {{
             *   (properties: email.v1.AuthenticationResults.$Shape): email.v1.AuthenticationResults & email.v1.AuthenticationResults.$Shape;
             *   (properties?: email.v1.AuthenticationResults.$Properties): email.v1.AuthenticationResults;
             * }}
             */
            AuthenticationResults.create = function(properties) {
                return new AuthenticationResults(properties);
            };

            /**
             * Encodes the specified AuthenticationResults message. Does not implicitly {@link email.v1.AuthenticationResults.verify|verify} messages.
             * @function encode
             * @memberof email.v1.AuthenticationResults
             * @static
             * @param {email.v1.AuthenticationResults.$Properties} message AuthenticationResults message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            AuthenticationResults.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.spf != null && $Object.hasOwnProperty.call(message, "spf") && message.spf !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.spf);
                if (message.dkim != null && $Object.hasOwnProperty.call(message, "dkim") && message.dkim !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.dkim);
                if (message.dmarc != null && $Object.hasOwnProperty.call(message, "dmarc") && message.dmarc !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).int32(message.dmarc);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Encodes the specified AuthenticationResults message, length delimited. Does not implicitly {@link email.v1.AuthenticationResults.verify|verify} messages.
             * @function encodeDelimited
             * @memberof email.v1.AuthenticationResults
             * @static
             * @param {email.v1.AuthenticationResults.$Properties} message AuthenticationResults message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            AuthenticationResults.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes an AuthenticationResults message from the specified reader or buffer.
             * @function decode
             * @memberof email.v1.AuthenticationResults
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {email.v1.AuthenticationResults & email.v1.AuthenticationResults.$Shape} AuthenticationResults
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            AuthenticationResults.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.email.v1.AuthenticationResults();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.spf = value;
                            else
                                delete message.spf;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.dkim = value;
                            else
                                delete message.dkim;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.dmarc = value;
                            else
                                delete message.dmarc;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Decodes an AuthenticationResults message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof email.v1.AuthenticationResults
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {email.v1.AuthenticationResults & email.v1.AuthenticationResults.$Shape} AuthenticationResults
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            AuthenticationResults.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies an AuthenticationResults message.
             * @function verify
             * @memberof email.v1.AuthenticationResults
             * @static
             * @param {Object.<string,*>} message Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            AuthenticationResults.verify = function (message, _depth) {
                if (typeof message !== "object" || message === null)
                    return "object expected";
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    return "max depth exceeded";
                if (message.spf != null && $Object.hasOwnProperty.call(message, "spf"))
                    if (typeof message.spf !== "number" || (message.spf | 0) !== message.spf)
                        return "spf: enum value expected";
                if (message.dkim != null && $Object.hasOwnProperty.call(message, "dkim"))
                    if (typeof message.dkim !== "number" || (message.dkim | 0) !== message.dkim)
                        return "dkim: enum value expected";
                if (message.dmarc != null && $Object.hasOwnProperty.call(message, "dmarc"))
                    if (typeof message.dmarc !== "number" || (message.dmarc | 0) !== message.dmarc)
                        return "dmarc: enum value expected";
                return null;
            };

            /**
             * Creates an AuthenticationResults message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof email.v1.AuthenticationResults
             * @static
             * @param {Object.<string,*>} object Plain object
             * @returns {email.v1.AuthenticationResults} AuthenticationResults
             */
            AuthenticationResults.fromObject = function (object, _depth) {
                if (object instanceof $root.email.v1.AuthenticationResults)
                    return object;
                if (!$util.isObject(object))
                    throw $TypeError(".email.v1.AuthenticationResults: object expected");
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let message = new $root.email.v1.AuthenticationResults();
                if (object.spf !== 0 && (typeof object.spf !== "string" || $root.email.v1.AuthResult[object.spf] !== 0))
                    switch (object.spf) {
                    case "AUTH_RESULT_UNSPECIFIED":
                    case 0:
                        message.spf = 0;
                        break;
                    case "AUTH_RESULT_NONE":
                    case 1:
                        message.spf = 1;
                        break;
                    case "AUTH_RESULT_PASS":
                    case 2:
                        message.spf = 2;
                        break;
                    case "AUTH_RESULT_FAIL":
                    case 3:
                        message.spf = 3;
                        break;
                    case "AUTH_RESULT_SOFTFAIL":
                    case 4:
                        message.spf = 4;
                        break;
                    case "AUTH_RESULT_NEUTRAL":
                    case 5:
                        message.spf = 5;
                        break;
                    case "AUTH_RESULT_TEMPERROR":
                    case 6:
                        message.spf = 6;
                        break;
                    case "AUTH_RESULT_PERMERROR":
                    case 7:
                        message.spf = 7;
                        break;
                    default:
                        if (typeof object.spf === "number" && (object.spf | 0) === object.spf)
                            message.spf = object.spf;
                    }
                if (object.dkim !== 0 && (typeof object.dkim !== "string" || $root.email.v1.AuthResult[object.dkim] !== 0))
                    switch (object.dkim) {
                    case "AUTH_RESULT_UNSPECIFIED":
                    case 0:
                        message.dkim = 0;
                        break;
                    case "AUTH_RESULT_NONE":
                    case 1:
                        message.dkim = 1;
                        break;
                    case "AUTH_RESULT_PASS":
                    case 2:
                        message.dkim = 2;
                        break;
                    case "AUTH_RESULT_FAIL":
                    case 3:
                        message.dkim = 3;
                        break;
                    case "AUTH_RESULT_SOFTFAIL":
                    case 4:
                        message.dkim = 4;
                        break;
                    case "AUTH_RESULT_NEUTRAL":
                    case 5:
                        message.dkim = 5;
                        break;
                    case "AUTH_RESULT_TEMPERROR":
                    case 6:
                        message.dkim = 6;
                        break;
                    case "AUTH_RESULT_PERMERROR":
                    case 7:
                        message.dkim = 7;
                        break;
                    default:
                        if (typeof object.dkim === "number" && (object.dkim | 0) === object.dkim)
                            message.dkim = object.dkim;
                    }
                if (object.dmarc !== 0 && (typeof object.dmarc !== "string" || $root.email.v1.AuthResult[object.dmarc] !== 0))
                    switch (object.dmarc) {
                    case "AUTH_RESULT_UNSPECIFIED":
                    case 0:
                        message.dmarc = 0;
                        break;
                    case "AUTH_RESULT_NONE":
                    case 1:
                        message.dmarc = 1;
                        break;
                    case "AUTH_RESULT_PASS":
                    case 2:
                        message.dmarc = 2;
                        break;
                    case "AUTH_RESULT_FAIL":
                    case 3:
                        message.dmarc = 3;
                        break;
                    case "AUTH_RESULT_SOFTFAIL":
                    case 4:
                        message.dmarc = 4;
                        break;
                    case "AUTH_RESULT_NEUTRAL":
                    case 5:
                        message.dmarc = 5;
                        break;
                    case "AUTH_RESULT_TEMPERROR":
                    case 6:
                        message.dmarc = 6;
                        break;
                    case "AUTH_RESULT_PERMERROR":
                    case 7:
                        message.dmarc = 7;
                        break;
                    default:
                        if (typeof object.dmarc === "number" && (object.dmarc | 0) === object.dmarc)
                            message.dmarc = object.dmarc;
                    }
                return message;
            };

            /**
             * Creates a plain object from an AuthenticationResults message. Also converts values to other types if specified.
             * @function toObject
             * @memberof email.v1.AuthenticationResults
             * @static
             * @param {email.v1.AuthenticationResults} message AuthenticationResults
             * @param {$protobuf.IConversionOptions} [options] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            AuthenticationResults.toObject = function (message, options, _depth) {
                if (!options)
                    options = {};
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let object = {};
                if (options.defaults) {
                    object.spf = options.enums === $String ? "AUTH_RESULT_UNSPECIFIED" : 0;
                    object.dkim = options.enums === $String ? "AUTH_RESULT_UNSPECIFIED" : 0;
                    object.dmarc = options.enums === $String ? "AUTH_RESULT_UNSPECIFIED" : 0;
                }
                if (message.spf != null && $Object.hasOwnProperty.call(message, "spf"))
                    object.spf = options.enums === $String ? $root.email.v1.AuthResult[message.spf] === $undefined ? message.spf : $root.email.v1.AuthResult[message.spf] : message.spf;
                if (message.dkim != null && $Object.hasOwnProperty.call(message, "dkim"))
                    object.dkim = options.enums === $String ? $root.email.v1.AuthResult[message.dkim] === $undefined ? message.dkim : $root.email.v1.AuthResult[message.dkim] : message.dkim;
                if (message.dmarc != null && $Object.hasOwnProperty.call(message, "dmarc"))
                    object.dmarc = options.enums === $String ? $root.email.v1.AuthResult[message.dmarc] === $undefined ? message.dmarc : $root.email.v1.AuthResult[message.dmarc] : message.dmarc;
                return object;
            };

            /**
             * Converts this AuthenticationResults to JSON.
             * @function toJSON
             * @memberof email.v1.AuthenticationResults
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            AuthenticationResults.prototype.toJSON = function() {
                return AuthenticationResults.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for AuthenticationResults
             * @function getTypeUrl
             * @memberof email.v1.AuthenticationResults
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            AuthenticationResults.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/email.v1.AuthenticationResults";
            };

            return AuthenticationResults;
        })();

        /**
         * Verdict enum.
         * @name email.v1.Verdict
         * @enum {number}
         * @property {number} VERDICT_UNSPECIFIED=0 VERDICT_UNSPECIFIED value
         * @property {number} VERDICT_CLEAN=1 VERDICT_CLEAN value
         * @property {number} VERDICT_SUSPICIOUS=2 VERDICT_SUSPICIOUS value
         * @property {number} VERDICT_MALICIOUS=3 VERDICT_MALICIOUS value
         */
        v1.Verdict = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "VERDICT_UNSPECIFIED"] = 0;
            values[valuesById[1] = "VERDICT_CLEAN"] = 1;
            values[valuesById[2] = "VERDICT_SUSPICIOUS"] = 2;
            values[valuesById[3] = "VERDICT_MALICIOUS"] = 3;
            return values;
        })();

        v1.Alert = (function() {

            /**
             * Properties of an Alert.
             * @typedef {Object} email.v1.Alert.$Properties
             * @property {string|null} [alertId] Alert alertId
             * @property {string|null} [tenantId] Alert tenantId
             * @property {string|null} [messageId] Alert messageId
             * @property {number|null} [receivedAtMs] Alert receivedAtMs
             * @property {number|null} [riskScore] Alert riskScore
             * @property {email.v1.Verdict|null} [verdict] Alert verdict
             * @property {Array.<string>|null} [reasons] Alert reasons
             * @property {string|null} [modelVersion] Alert modelVersion
             * @property {number|null} [scoredAtMs] Alert scoredAtMs
             * @property {string|null} [mailFrom] Alert mailFrom
             * @property {string|null} [fromAddress] Alert fromAddress
             * @property {string|null} [subject] Alert subject
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Alert.
             * @memberof email.v1
             * @interface IAlert
             * @augments email.v1.Alert.$Properties
             * @deprecated Use email.v1.Alert.$Properties instead.
             */

            /**
             * Shape of an Alert.
             * @typedef {email.v1.Alert.$Properties} email.v1.Alert.$Shape
             */

            /**
             * Constructs a new Alert.
             * @memberof email.v1
             * @classdesc Represents an Alert.
             * @constructor
             * @param {email.v1.Alert.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Alert = function (properties) {
                this.reasons = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Alert alertId.
             * @member {string} alertId
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.alertId = "";

            /**
             * Alert tenantId.
             * @member {string} tenantId
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.tenantId = "";

            /**
             * Alert messageId.
             * @member {string} messageId
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.messageId = "";

            /**
             * Alert receivedAtMs.
             * @member {number} receivedAtMs
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.receivedAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Alert riskScore.
             * @member {number} riskScore
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.riskScore = 0;

            /**
             * Alert verdict.
             * @member {email.v1.Verdict} verdict
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.verdict = 0;

            /**
             * Alert reasons.
             * @member {Array.<string>} reasons
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.reasons = $util.emptyArray;

            /**
             * Alert modelVersion.
             * @member {string} modelVersion
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.modelVersion = "";

            /**
             * Alert scoredAtMs.
             * @member {number} scoredAtMs
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.scoredAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Alert mailFrom.
             * @member {string} mailFrom
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.mailFrom = "";

            /**
             * Alert fromAddress.
             * @member {string} fromAddress
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.fromAddress = "";

            /**
             * Alert subject.
             * @member {string} subject
             * @memberof email.v1.Alert
             * @instance
             */
            Alert.prototype.subject = "";

            /**
             * Creates a new Alert instance using the specified properties.
             * @function create
             * @memberof email.v1.Alert
             * @static
             * @param {email.v1.Alert.$Properties=} [properties] Properties to set
             * @returns {email.v1.Alert} Alert instance
             * @type {{
             *   (properties: email.v1.Alert.$Shape): email.v1.Alert & email.v1.Alert.$Shape;
             *   (properties?: email.v1.Alert.$Properties): email.v1.Alert;
             * }}
             */
            Alert.create = function(properties) {
                return new Alert(properties);
            };

            /**
             * Encodes the specified Alert message. Does not implicitly {@link email.v1.Alert.verify|verify} messages.
             * @function encode
             * @memberof email.v1.Alert
             * @static
             * @param {email.v1.Alert.$Properties} message Alert message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Alert.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.alertId != null && $Object.hasOwnProperty.call(message, "alertId") && message.alertId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.alertId);
                if (message.tenantId != null && $Object.hasOwnProperty.call(message, "tenantId") && message.tenantId !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.tenantId);
                if (message.messageId != null && $Object.hasOwnProperty.call(message, "messageId") && message.messageId !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.messageId);
                if (message.receivedAtMs != null && $Object.hasOwnProperty.call(message, "receivedAtMs") && (typeof message.receivedAtMs === "object" ? message.receivedAtMs.low || message.receivedAtMs.high : message.receivedAtMs !== 0))
                    writer.uint32(/* id 4, wireType 0 =*/32).int64(message.receivedAtMs);
                if (message.riskScore != null && $Object.hasOwnProperty.call(message, "riskScore") && message.riskScore !== 0)
                    writer.uint32(/* id 5, wireType 0 =*/40).uint32(message.riskScore);
                if (message.verdict != null && $Object.hasOwnProperty.call(message, "verdict") && message.verdict !== 0)
                    writer.uint32(/* id 6, wireType 0 =*/48).int32(message.verdict);
                if (message.reasons != null && message.reasons.length)
                    for (let i = 0; i < message.reasons.length; ++i)
                        writer.uint32(/* id 7, wireType 2 =*/58).string(message.reasons[i]);
                if (message.modelVersion != null && $Object.hasOwnProperty.call(message, "modelVersion") && message.modelVersion !== "")
                    writer.uint32(/* id 8, wireType 2 =*/66).string(message.modelVersion);
                if (message.scoredAtMs != null && $Object.hasOwnProperty.call(message, "scoredAtMs") && (typeof message.scoredAtMs === "object" ? message.scoredAtMs.low || message.scoredAtMs.high : message.scoredAtMs !== 0))
                    writer.uint32(/* id 9, wireType 0 =*/72).int64(message.scoredAtMs);
                if (message.mailFrom != null && $Object.hasOwnProperty.call(message, "mailFrom") && message.mailFrom !== "")
                    writer.uint32(/* id 10, wireType 2 =*/82).string(message.mailFrom);
                if (message.fromAddress != null && $Object.hasOwnProperty.call(message, "fromAddress") && message.fromAddress !== "")
                    writer.uint32(/* id 11, wireType 2 =*/90).string(message.fromAddress);
                if (message.subject != null && $Object.hasOwnProperty.call(message, "subject") && message.subject !== "")
                    writer.uint32(/* id 12, wireType 2 =*/98).string(message.subject);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Encodes the specified Alert message, length delimited. Does not implicitly {@link email.v1.Alert.verify|verify} messages.
             * @function encodeDelimited
             * @memberof email.v1.Alert
             * @static
             * @param {email.v1.Alert.$Properties} message Alert message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Alert.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes an Alert message from the specified reader or buffer.
             * @function decode
             * @memberof email.v1.Alert
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {email.v1.Alert & email.v1.Alert.$Shape} Alert
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Alert.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.email.v1.Alert();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.alertId = value;
                            else
                                delete message.alertId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.tenantId = value;
                            else
                                delete message.tenantId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.messageId = value;
                            else
                                delete message.messageId;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                message.receivedAtMs = value;
                            else
                                delete message.receivedAtMs;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.riskScore = value;
                            else
                                delete message.riskScore;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.verdict = value;
                            else
                                delete message.verdict;
                            continue;
                        }
                    case 7: {
                            if (wireType !== 2)
                                break;
                            if (!(message.reasons && message.reasons.length))
                                message.reasons = [];
                            message.reasons.push(reader.stringVerify());
                            continue;
                        }
                    case 8: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.modelVersion = value;
                            else
                                delete message.modelVersion;
                            continue;
                        }
                    case 9: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                message.scoredAtMs = value;
                            else
                                delete message.scoredAtMs;
                            continue;
                        }
                    case 10: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.mailFrom = value;
                            else
                                delete message.mailFrom;
                            continue;
                        }
                    case 11: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.fromAddress = value;
                            else
                                delete message.fromAddress;
                            continue;
                        }
                    case 12: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.subject = value;
                            else
                                delete message.subject;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Decodes an Alert message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof email.v1.Alert
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {email.v1.Alert & email.v1.Alert.$Shape} Alert
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Alert.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies an Alert message.
             * @function verify
             * @memberof email.v1.Alert
             * @static
             * @param {Object.<string,*>} message Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Alert.verify = function (message, _depth) {
                if (typeof message !== "object" || message === null)
                    return "object expected";
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    return "max depth exceeded";
                if (message.alertId != null && $Object.hasOwnProperty.call(message, "alertId"))
                    if (!$util.isString(message.alertId))
                        return "alertId: string expected";
                if (message.tenantId != null && $Object.hasOwnProperty.call(message, "tenantId"))
                    if (!$util.isString(message.tenantId))
                        return "tenantId: string expected";
                if (message.messageId != null && $Object.hasOwnProperty.call(message, "messageId"))
                    if (!$util.isString(message.messageId))
                        return "messageId: string expected";
                if (message.receivedAtMs != null && $Object.hasOwnProperty.call(message, "receivedAtMs"))
                    if (!$util.isInteger(message.receivedAtMs) && !(message.receivedAtMs && $util.isInteger(message.receivedAtMs.low) && $util.isInteger(message.receivedAtMs.high)))
                        return "receivedAtMs: integer|Long expected";
                if (message.riskScore != null && $Object.hasOwnProperty.call(message, "riskScore"))
                    if (!$util.isInteger(message.riskScore))
                        return "riskScore: integer expected";
                if (message.verdict != null && $Object.hasOwnProperty.call(message, "verdict"))
                    if (typeof message.verdict !== "number" || (message.verdict | 0) !== message.verdict)
                        return "verdict: enum value expected";
                if (message.reasons != null && $Object.hasOwnProperty.call(message, "reasons")) {
                    if (!$Array.isArray(message.reasons))
                        return "reasons: array expected";
                    for (let i = 0; i < message.reasons.length; ++i)
                        if (!$util.isString(message.reasons[i]))
                            return "reasons: string[] expected";
                }
                if (message.modelVersion != null && $Object.hasOwnProperty.call(message, "modelVersion"))
                    if (!$util.isString(message.modelVersion))
                        return "modelVersion: string expected";
                if (message.scoredAtMs != null && $Object.hasOwnProperty.call(message, "scoredAtMs"))
                    if (!$util.isInteger(message.scoredAtMs) && !(message.scoredAtMs && $util.isInteger(message.scoredAtMs.low) && $util.isInteger(message.scoredAtMs.high)))
                        return "scoredAtMs: integer|Long expected";
                if (message.mailFrom != null && $Object.hasOwnProperty.call(message, "mailFrom"))
                    if (!$util.isString(message.mailFrom))
                        return "mailFrom: string expected";
                if (message.fromAddress != null && $Object.hasOwnProperty.call(message, "fromAddress"))
                    if (!$util.isString(message.fromAddress))
                        return "fromAddress: string expected";
                if (message.subject != null && $Object.hasOwnProperty.call(message, "subject"))
                    if (!$util.isString(message.subject))
                        return "subject: string expected";
                return null;
            };

            /**
             * Creates an Alert message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof email.v1.Alert
             * @static
             * @param {Object.<string,*>} object Plain object
             * @returns {email.v1.Alert} Alert
             */
            Alert.fromObject = function (object, _depth) {
                if (object instanceof $root.email.v1.Alert)
                    return object;
                if (!$util.isObject(object))
                    throw $TypeError(".email.v1.Alert: object expected");
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let message = new $root.email.v1.Alert();
                if (object.alertId != null)
                    if (typeof object.alertId !== "string" || object.alertId.length)
                        message.alertId = $String(object.alertId);
                if (object.tenantId != null)
                    if (typeof object.tenantId !== "string" || object.tenantId.length)
                        message.tenantId = $String(object.tenantId);
                if (object.messageId != null)
                    if (typeof object.messageId !== "string" || object.messageId.length)
                        message.messageId = $String(object.messageId);
                if (object.receivedAtMs != null)
                    if (typeof object.receivedAtMs === "object" ? object.receivedAtMs.low || object.receivedAtMs.high : $Number(object.receivedAtMs) !== 0)
                        if ($util.Long)
                            message.receivedAtMs = $util.Long.fromValue(object.receivedAtMs, false);
                        else if (typeof object.receivedAtMs === "string")
                            message.receivedAtMs = $parseInt(object.receivedAtMs, 10);
                        else if (typeof object.receivedAtMs === "number")
                            message.receivedAtMs = object.receivedAtMs;
                        else if (typeof object.receivedAtMs === "object")
                            message.receivedAtMs = new $util.LongBits(object.receivedAtMs.low >>> 0, object.receivedAtMs.high >>> 0).toNumber();
                if (object.riskScore != null)
                    if ($Number(object.riskScore) !== 0)
                        message.riskScore = object.riskScore >>> 0;
                if (object.verdict !== 0 && (typeof object.verdict !== "string" || $root.email.v1.Verdict[object.verdict] !== 0))
                    switch (object.verdict) {
                    case "VERDICT_UNSPECIFIED":
                    case 0:
                        message.verdict = 0;
                        break;
                    case "VERDICT_CLEAN":
                    case 1:
                        message.verdict = 1;
                        break;
                    case "VERDICT_SUSPICIOUS":
                    case 2:
                        message.verdict = 2;
                        break;
                    case "VERDICT_MALICIOUS":
                    case 3:
                        message.verdict = 3;
                        break;
                    default:
                        if (typeof object.verdict === "number" && (object.verdict | 0) === object.verdict)
                            message.verdict = object.verdict;
                    }
                if (object.reasons) {
                    if (!$Array.isArray(object.reasons))
                        throw $TypeError(".email.v1.Alert.reasons: array expected");
                    message.reasons = $Array(object.reasons.length);
                    for (let i = 0; i < object.reasons.length; ++i)
                        message.reasons[i] = $String(object.reasons[i]);
                }
                if (object.modelVersion != null)
                    if (typeof object.modelVersion !== "string" || object.modelVersion.length)
                        message.modelVersion = $String(object.modelVersion);
                if (object.scoredAtMs != null)
                    if (typeof object.scoredAtMs === "object" ? object.scoredAtMs.low || object.scoredAtMs.high : $Number(object.scoredAtMs) !== 0)
                        if ($util.Long)
                            message.scoredAtMs = $util.Long.fromValue(object.scoredAtMs, false);
                        else if (typeof object.scoredAtMs === "string")
                            message.scoredAtMs = $parseInt(object.scoredAtMs, 10);
                        else if (typeof object.scoredAtMs === "number")
                            message.scoredAtMs = object.scoredAtMs;
                        else if (typeof object.scoredAtMs === "object")
                            message.scoredAtMs = new $util.LongBits(object.scoredAtMs.low >>> 0, object.scoredAtMs.high >>> 0).toNumber();
                if (object.mailFrom != null)
                    if (typeof object.mailFrom !== "string" || object.mailFrom.length)
                        message.mailFrom = $String(object.mailFrom);
                if (object.fromAddress != null)
                    if (typeof object.fromAddress !== "string" || object.fromAddress.length)
                        message.fromAddress = $String(object.fromAddress);
                if (object.subject != null)
                    if (typeof object.subject !== "string" || object.subject.length)
                        message.subject = $String(object.subject);
                return message;
            };

            /**
             * Creates a plain object from an Alert message. Also converts values to other types if specified.
             * @function toObject
             * @memberof email.v1.Alert
             * @static
             * @param {email.v1.Alert} message Alert
             * @param {$protobuf.IConversionOptions} [options] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Alert.toObject = function (message, options, _depth) {
                if (!options)
                    options = {};
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let object = {};
                if (options.arrays || options.defaults)
                    object.reasons = [];
                if (options.defaults) {
                    object.alertId = "";
                    object.tenantId = "";
                    object.messageId = "";
                    if ($util.Long) {
                        let long = new $util.Long(0, 0, false);
                        object.receivedAtMs = options.longs === $String ? long.toString() : options.longs === $Number ? long.toNumber() : typeof $BigInt !== "undefined" && options.longs === $BigInt ? long.toBigInt() : long;
                    } else
                        object.receivedAtMs = options.longs === $String ? "0" : typeof $BigInt !== "undefined" && options.longs === $BigInt ? $BigInt("0") : 0;
                    object.riskScore = 0;
                    object.verdict = options.enums === $String ? "VERDICT_UNSPECIFIED" : 0;
                    object.modelVersion = "";
                    if ($util.Long) {
                        let long = new $util.Long(0, 0, false);
                        object.scoredAtMs = options.longs === $String ? long.toString() : options.longs === $Number ? long.toNumber() : typeof $BigInt !== "undefined" && options.longs === $BigInt ? long.toBigInt() : long;
                    } else
                        object.scoredAtMs = options.longs === $String ? "0" : typeof $BigInt !== "undefined" && options.longs === $BigInt ? $BigInt("0") : 0;
                    object.mailFrom = "";
                    object.fromAddress = "";
                    object.subject = "";
                }
                if (message.alertId != null && $Object.hasOwnProperty.call(message, "alertId"))
                    object.alertId = message.alertId;
                if (message.tenantId != null && $Object.hasOwnProperty.call(message, "tenantId"))
                    object.tenantId = message.tenantId;
                if (message.messageId != null && $Object.hasOwnProperty.call(message, "messageId"))
                    object.messageId = message.messageId;
                if (message.receivedAtMs != null && $Object.hasOwnProperty.call(message, "receivedAtMs"))
                    if (typeof $BigInt !== "undefined" && options.longs === $BigInt)
                        object.receivedAtMs = typeof message.receivedAtMs === "number" ? $BigInt(message.receivedAtMs) : $util.Long.fromBits(message.receivedAtMs.low >>> 0, message.receivedAtMs.high >>> 0, false).toBigInt();
                    else if (typeof message.receivedAtMs === "number")
                        object.receivedAtMs = options.longs === $String ? $String(message.receivedAtMs) : message.receivedAtMs;
                    else
                        object.receivedAtMs = options.longs === $String ? $util.Long.prototype.toString.call(message.receivedAtMs) : options.longs === $Number ? new $util.LongBits(message.receivedAtMs.low >>> 0, message.receivedAtMs.high >>> 0).toNumber() : message.receivedAtMs;
                if (message.riskScore != null && $Object.hasOwnProperty.call(message, "riskScore"))
                    object.riskScore = message.riskScore;
                if (message.verdict != null && $Object.hasOwnProperty.call(message, "verdict"))
                    object.verdict = options.enums === $String ? $root.email.v1.Verdict[message.verdict] === $undefined ? message.verdict : $root.email.v1.Verdict[message.verdict] : message.verdict;
                if (message.reasons && message.reasons.length) {
                    object.reasons = $Array(message.reasons.length);
                    for (let j = 0; j < message.reasons.length; ++j)
                        object.reasons[j] = message.reasons[j];
                }
                if (message.modelVersion != null && $Object.hasOwnProperty.call(message, "modelVersion"))
                    object.modelVersion = message.modelVersion;
                if (message.scoredAtMs != null && $Object.hasOwnProperty.call(message, "scoredAtMs"))
                    if (typeof $BigInt !== "undefined" && options.longs === $BigInt)
                        object.scoredAtMs = typeof message.scoredAtMs === "number" ? $BigInt(message.scoredAtMs) : $util.Long.fromBits(message.scoredAtMs.low >>> 0, message.scoredAtMs.high >>> 0, false).toBigInt();
                    else if (typeof message.scoredAtMs === "number")
                        object.scoredAtMs = options.longs === $String ? $String(message.scoredAtMs) : message.scoredAtMs;
                    else
                        object.scoredAtMs = options.longs === $String ? $util.Long.prototype.toString.call(message.scoredAtMs) : options.longs === $Number ? new $util.LongBits(message.scoredAtMs.low >>> 0, message.scoredAtMs.high >>> 0).toNumber() : message.scoredAtMs;
                if (message.mailFrom != null && $Object.hasOwnProperty.call(message, "mailFrom"))
                    object.mailFrom = message.mailFrom;
                if (message.fromAddress != null && $Object.hasOwnProperty.call(message, "fromAddress"))
                    object.fromAddress = message.fromAddress;
                if (message.subject != null && $Object.hasOwnProperty.call(message, "subject"))
                    object.subject = message.subject;
                return object;
            };

            /**
             * Converts this Alert to JSON.
             * @function toJSON
             * @memberof email.v1.Alert
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Alert.prototype.toJSON = function() {
                return Alert.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Alert
             * @function getTypeUrl
             * @memberof email.v1.Alert
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Alert.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/email.v1.Alert";
            };

            return Alert;
        })();

        return v1;
    })();

    return email;
})();

export {
  $root as default
};

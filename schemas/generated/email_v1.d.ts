import * as $protobuf from "../protobuf_runtime.js";
import Long = require("long");

/** Namespace email. */
export namespace email {

    /** Namespace v1. */
    namespace v1 {

        /**
         * Properties of an EmailEvent.
         * @deprecated Use email.v1.EmailEvent.$Properties instead.
         */
        interface IEmailEvent extends email.v1.EmailEvent.$Properties {
        }

        /** Represents an EmailEvent. */
        class EmailEvent {

            /**
             * Constructs a new EmailEvent.
             * @param [properties] Properties to set
             */
            constructor(properties?: email.v1.EmailEvent.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** EmailEvent tenantId. */
            tenantId: string;

            /** EmailEvent messageId. */
            messageId: string;

            /** EmailEvent receivedAtMs. */
            receivedAtMs: number;

            /** EmailEvent envelope. */
            envelope?: (email.v1.Envelope.$Properties|null);

            /** EmailEvent from. */
            from?: (email.v1.Address.$Properties|null);

            /** EmailEvent replyTo. */
            replyTo?: (email.v1.Address.$Properties|null);

            /** EmailEvent to. */
            to: email.v1.Address.$Properties[];

            /** EmailEvent cc. */
            cc: email.v1.Address.$Properties[];

            /** EmailEvent subject. */
            subject: string;

            /** EmailEvent textBody. */
            textBody: string;

            /** EmailEvent htmlBody. */
            htmlBody: string;

            /** EmailEvent urls. */
            urls: string[];

            /** EmailEvent attachments. */
            attachments: email.v1.Attachment.$Properties[];

            /** EmailEvent auth. */
            auth?: (email.v1.AuthenticationResults.$Properties|null);

            /** EmailEvent rawMessage. */
            rawMessage: Uint8Array;

            /** EmailEvent headers. */
            headers: email.v1.Header.$Properties[];

            /**
             * Creates a new EmailEvent instance using the specified properties.
             * @param [properties] Properties to set
             * @returns EmailEvent instance
             */
            static create(properties: email.v1.EmailEvent.$Shape): email.v1.EmailEvent & email.v1.EmailEvent.$Shape;
            static create(properties?: email.v1.EmailEvent.$Properties): email.v1.EmailEvent;

            /**
             * Encodes the specified EmailEvent message. Does not implicitly {@link email.v1.EmailEvent.verify|verify} messages.
             * @param message EmailEvent message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: email.v1.EmailEvent.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified EmailEvent message, length delimited. Does not implicitly {@link email.v1.EmailEvent.verify|verify} messages.
             * @param message EmailEvent message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: email.v1.EmailEvent.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an EmailEvent message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {email.v1.EmailEvent & email.v1.EmailEvent.$Shape} EmailEvent
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): email.v1.EmailEvent & email.v1.EmailEvent.$Shape;

            /**
             * Decodes an EmailEvent message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {email.v1.EmailEvent & email.v1.EmailEvent.$Shape} EmailEvent
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): email.v1.EmailEvent & email.v1.EmailEvent.$Shape;

            /**
             * Verifies an EmailEvent message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an EmailEvent message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns EmailEvent
             */
            static fromObject(object: { [k: string]: any }): email.v1.EmailEvent;

            /**
             * Creates a plain object from an EmailEvent message. Also converts values to other types if specified.
             * @param message EmailEvent
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: email.v1.EmailEvent, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this EmailEvent to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for EmailEvent
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace EmailEvent {

            /** Properties of an EmailEvent. */
            interface $Properties {

                /** EmailEvent tenantId */
                tenantId?: (string|null);

                /** EmailEvent messageId */
                messageId?: (string|null);

                /** EmailEvent receivedAtMs */
                receivedAtMs?: (number|null);

                /** EmailEvent envelope */
                envelope?: (email.v1.Envelope.$Properties|null);

                /** EmailEvent from */
                from?: (email.v1.Address.$Properties|null);

                /** EmailEvent replyTo */
                replyTo?: (email.v1.Address.$Properties|null);

                /** EmailEvent to */
                to?: (email.v1.Address.$Properties[]|null);

                /** EmailEvent cc */
                cc?: (email.v1.Address.$Properties[]|null);

                /** EmailEvent subject */
                subject?: (string|null);

                /** EmailEvent textBody */
                textBody?: (string|null);

                /** EmailEvent htmlBody */
                htmlBody?: (string|null);

                /** EmailEvent urls */
                urls?: (string[]|null);

                /** EmailEvent attachments */
                attachments?: (email.v1.Attachment.$Properties[]|null);

                /** EmailEvent auth */
                auth?: (email.v1.AuthenticationResults.$Properties|null);

                /** EmailEvent rawMessage */
                rawMessage?: (Uint8Array|null);

                /** EmailEvent headers */
                headers?: (email.v1.Header.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an EmailEvent. */
            type $Shape = email.v1.EmailEvent.$Properties;
        }

        /**
         * Properties of an Envelope.
         * @deprecated Use email.v1.Envelope.$Properties instead.
         */
        interface IEnvelope extends email.v1.Envelope.$Properties {
        }

        /** Represents an Envelope. */
        class Envelope {

            /**
             * Constructs a new Envelope.
             * @param [properties] Properties to set
             */
            constructor(properties?: email.v1.Envelope.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Envelope mailFrom. */
            mailFrom: string;

            /** Envelope rcptTo. */
            rcptTo: string[];

            /** Envelope clientIp. */
            clientIp: string;

            /** Envelope helo. */
            helo: string;

            /**
             * Creates a new Envelope instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Envelope instance
             */
            static create(properties: email.v1.Envelope.$Shape): email.v1.Envelope & email.v1.Envelope.$Shape;
            static create(properties?: email.v1.Envelope.$Properties): email.v1.Envelope;

            /**
             * Encodes the specified Envelope message. Does not implicitly {@link email.v1.Envelope.verify|verify} messages.
             * @param message Envelope message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: email.v1.Envelope.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Envelope message, length delimited. Does not implicitly {@link email.v1.Envelope.verify|verify} messages.
             * @param message Envelope message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: email.v1.Envelope.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Envelope message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {email.v1.Envelope & email.v1.Envelope.$Shape} Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): email.v1.Envelope & email.v1.Envelope.$Shape;

            /**
             * Decodes an Envelope message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {email.v1.Envelope & email.v1.Envelope.$Shape} Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): email.v1.Envelope & email.v1.Envelope.$Shape;

            /**
             * Verifies an Envelope message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an Envelope message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Envelope
             */
            static fromObject(object: { [k: string]: any }): email.v1.Envelope;

            /**
             * Creates a plain object from an Envelope message. Also converts values to other types if specified.
             * @param message Envelope
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: email.v1.Envelope, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Envelope to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Envelope
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Envelope {

            /** Properties of an Envelope. */
            interface $Properties {

                /** Envelope mailFrom */
                mailFrom?: (string|null);

                /** Envelope rcptTo */
                rcptTo?: (string[]|null);

                /** Envelope clientIp */
                clientIp?: (string|null);

                /** Envelope helo */
                helo?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Envelope. */
            type $Shape = email.v1.Envelope.$Properties;
        }

        /**
         * Properties of an Address.
         * @deprecated Use email.v1.Address.$Properties instead.
         */
        interface IAddress extends email.v1.Address.$Properties {
        }

        /** Represents an Address. */
        class Address {

            /**
             * Constructs a new Address.
             * @param [properties] Properties to set
             */
            constructor(properties?: email.v1.Address.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Address name. */
            name: string;

            /** Address address. */
            address: string;

            /**
             * Creates a new Address instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Address instance
             */
            static create(properties: email.v1.Address.$Shape): email.v1.Address & email.v1.Address.$Shape;
            static create(properties?: email.v1.Address.$Properties): email.v1.Address;

            /**
             * Encodes the specified Address message. Does not implicitly {@link email.v1.Address.verify|verify} messages.
             * @param message Address message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: email.v1.Address.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Address message, length delimited. Does not implicitly {@link email.v1.Address.verify|verify} messages.
             * @param message Address message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: email.v1.Address.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Address message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {email.v1.Address & email.v1.Address.$Shape} Address
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): email.v1.Address & email.v1.Address.$Shape;

            /**
             * Decodes an Address message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {email.v1.Address & email.v1.Address.$Shape} Address
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): email.v1.Address & email.v1.Address.$Shape;

            /**
             * Verifies an Address message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an Address message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Address
             */
            static fromObject(object: { [k: string]: any }): email.v1.Address;

            /**
             * Creates a plain object from an Address message. Also converts values to other types if specified.
             * @param message Address
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: email.v1.Address, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Address to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Address
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Address {

            /** Properties of an Address. */
            interface $Properties {

                /** Address name */
                name?: (string|null);

                /** Address address */
                address?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Address. */
            type $Shape = email.v1.Address.$Properties;
        }

        /**
         * Properties of an Attachment.
         * @deprecated Use email.v1.Attachment.$Properties instead.
         */
        interface IAttachment extends email.v1.Attachment.$Properties {
        }

        /** Represents an Attachment. */
        class Attachment {

            /**
             * Constructs a new Attachment.
             * @param [properties] Properties to set
             */
            constructor(properties?: email.v1.Attachment.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Attachment filename. */
            filename: string;

            /** Attachment contentType. */
            contentType: string;

            /** Attachment sizeBytes. */
            sizeBytes: number;

            /** Attachment sha256. */
            sha256: string;

            /**
             * Creates a new Attachment instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Attachment instance
             */
            static create(properties: email.v1.Attachment.$Shape): email.v1.Attachment & email.v1.Attachment.$Shape;
            static create(properties?: email.v1.Attachment.$Properties): email.v1.Attachment;

            /**
             * Encodes the specified Attachment message. Does not implicitly {@link email.v1.Attachment.verify|verify} messages.
             * @param message Attachment message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: email.v1.Attachment.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Attachment message, length delimited. Does not implicitly {@link email.v1.Attachment.verify|verify} messages.
             * @param message Attachment message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: email.v1.Attachment.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Attachment message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {email.v1.Attachment & email.v1.Attachment.$Shape} Attachment
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): email.v1.Attachment & email.v1.Attachment.$Shape;

            /**
             * Decodes an Attachment message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {email.v1.Attachment & email.v1.Attachment.$Shape} Attachment
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): email.v1.Attachment & email.v1.Attachment.$Shape;

            /**
             * Verifies an Attachment message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an Attachment message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Attachment
             */
            static fromObject(object: { [k: string]: any }): email.v1.Attachment;

            /**
             * Creates a plain object from an Attachment message. Also converts values to other types if specified.
             * @param message Attachment
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: email.v1.Attachment, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Attachment to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Attachment
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Attachment {

            /** Properties of an Attachment. */
            interface $Properties {

                /** Attachment filename */
                filename?: (string|null);

                /** Attachment contentType */
                contentType?: (string|null);

                /** Attachment sizeBytes */
                sizeBytes?: (number|null);

                /** Attachment sha256 */
                sha256?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Attachment. */
            type $Shape = email.v1.Attachment.$Properties;
        }

        /**
         * Properties of a Header.
         * @deprecated Use email.v1.Header.$Properties instead.
         */
        interface IHeader extends email.v1.Header.$Properties {
        }

        /** Represents a Header. */
        class Header {

            /**
             * Constructs a new Header.
             * @param [properties] Properties to set
             */
            constructor(properties?: email.v1.Header.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Header name. */
            name: string;

            /** Header value. */
            value: string;

            /**
             * Creates a new Header instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Header instance
             */
            static create(properties: email.v1.Header.$Shape): email.v1.Header & email.v1.Header.$Shape;
            static create(properties?: email.v1.Header.$Properties): email.v1.Header;

            /**
             * Encodes the specified Header message. Does not implicitly {@link email.v1.Header.verify|verify} messages.
             * @param message Header message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: email.v1.Header.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Header message, length delimited. Does not implicitly {@link email.v1.Header.verify|verify} messages.
             * @param message Header message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: email.v1.Header.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Header message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {email.v1.Header & email.v1.Header.$Shape} Header
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): email.v1.Header & email.v1.Header.$Shape;

            /**
             * Decodes a Header message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {email.v1.Header & email.v1.Header.$Shape} Header
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): email.v1.Header & email.v1.Header.$Shape;

            /**
             * Verifies a Header message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a Header message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Header
             */
            static fromObject(object: { [k: string]: any }): email.v1.Header;

            /**
             * Creates a plain object from a Header message. Also converts values to other types if specified.
             * @param message Header
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: email.v1.Header, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Header to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Header
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Header {

            /** Properties of a Header. */
            interface $Properties {

                /** Header name */
                name?: (string|null);

                /** Header value */
                value?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Header. */
            type $Shape = email.v1.Header.$Properties;
        }

        /** AuthResult enum. */
        enum AuthResult {

            /** AUTH_RESULT_UNSPECIFIED value */
            AUTH_RESULT_UNSPECIFIED = 0,

            /** AUTH_RESULT_NONE value */
            AUTH_RESULT_NONE = 1,

            /** AUTH_RESULT_PASS value */
            AUTH_RESULT_PASS = 2,

            /** AUTH_RESULT_FAIL value */
            AUTH_RESULT_FAIL = 3,

            /** AUTH_RESULT_SOFTFAIL value */
            AUTH_RESULT_SOFTFAIL = 4,

            /** AUTH_RESULT_NEUTRAL value */
            AUTH_RESULT_NEUTRAL = 5,

            /** AUTH_RESULT_TEMPERROR value */
            AUTH_RESULT_TEMPERROR = 6,

            /** AUTH_RESULT_PERMERROR value */
            AUTH_RESULT_PERMERROR = 7
        }

        /**
         * Properties of an AuthenticationResults.
         * @deprecated Use email.v1.AuthenticationResults.$Properties instead.
         */
        interface IAuthenticationResults extends email.v1.AuthenticationResults.$Properties {
        }

        /** Represents an AuthenticationResults. */
        class AuthenticationResults {

            /**
             * Constructs a new AuthenticationResults.
             * @param [properties] Properties to set
             */
            constructor(properties?: email.v1.AuthenticationResults.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** AuthenticationResults spf. */
            spf: email.v1.AuthResult;

            /** AuthenticationResults dkim. */
            dkim: email.v1.AuthResult;

            /** AuthenticationResults dmarc. */
            dmarc: email.v1.AuthResult;

            /**
             * Creates a new AuthenticationResults instance using the specified properties.
             * @param [properties] Properties to set
             * @returns AuthenticationResults instance
             */
            static create(properties: email.v1.AuthenticationResults.$Shape): email.v1.AuthenticationResults & email.v1.AuthenticationResults.$Shape;
            static create(properties?: email.v1.AuthenticationResults.$Properties): email.v1.AuthenticationResults;

            /**
             * Encodes the specified AuthenticationResults message. Does not implicitly {@link email.v1.AuthenticationResults.verify|verify} messages.
             * @param message AuthenticationResults message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: email.v1.AuthenticationResults.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified AuthenticationResults message, length delimited. Does not implicitly {@link email.v1.AuthenticationResults.verify|verify} messages.
             * @param message AuthenticationResults message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: email.v1.AuthenticationResults.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an AuthenticationResults message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {email.v1.AuthenticationResults & email.v1.AuthenticationResults.$Shape} AuthenticationResults
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): email.v1.AuthenticationResults & email.v1.AuthenticationResults.$Shape;

            /**
             * Decodes an AuthenticationResults message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {email.v1.AuthenticationResults & email.v1.AuthenticationResults.$Shape} AuthenticationResults
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): email.v1.AuthenticationResults & email.v1.AuthenticationResults.$Shape;

            /**
             * Verifies an AuthenticationResults message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an AuthenticationResults message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns AuthenticationResults
             */
            static fromObject(object: { [k: string]: any }): email.v1.AuthenticationResults;

            /**
             * Creates a plain object from an AuthenticationResults message. Also converts values to other types if specified.
             * @param message AuthenticationResults
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: email.v1.AuthenticationResults, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this AuthenticationResults to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for AuthenticationResults
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace AuthenticationResults {

            /** Properties of an AuthenticationResults. */
            interface $Properties {

                /** AuthenticationResults spf */
                spf?: (email.v1.AuthResult|null);

                /** AuthenticationResults dkim */
                dkim?: (email.v1.AuthResult|null);

                /** AuthenticationResults dmarc */
                dmarc?: (email.v1.AuthResult|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an AuthenticationResults. */
            type $Shape = email.v1.AuthenticationResults.$Properties;
        }

        /** Verdict enum. */
        enum Verdict {

            /** VERDICT_UNSPECIFIED value */
            VERDICT_UNSPECIFIED = 0,

            /** VERDICT_CLEAN value */
            VERDICT_CLEAN = 1,

            /** VERDICT_SUSPICIOUS value */
            VERDICT_SUSPICIOUS = 2,

            /** VERDICT_MALICIOUS value */
            VERDICT_MALICIOUS = 3
        }

        /**
         * Properties of an Alert.
         * @deprecated Use email.v1.Alert.$Properties instead.
         */
        interface IAlert extends email.v1.Alert.$Properties {
        }

        /** Represents an Alert. */
        class Alert {

            /**
             * Constructs a new Alert.
             * @param [properties] Properties to set
             */
            constructor(properties?: email.v1.Alert.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Alert alertId. */
            alertId: string;

            /** Alert tenantId. */
            tenantId: string;

            /** Alert messageId. */
            messageId: string;

            /** Alert receivedAtMs. */
            receivedAtMs: number;

            /** Alert riskScore. */
            riskScore: number;

            /** Alert verdict. */
            verdict: email.v1.Verdict;

            /** Alert reasons. */
            reasons: string[];

            /** Alert modelVersion. */
            modelVersion: string;

            /** Alert scoredAtMs. */
            scoredAtMs: number;

            /** Alert mailFrom. */
            mailFrom: string;

            /** Alert fromAddress. */
            fromAddress: string;

            /** Alert subject. */
            subject: string;

            /**
             * Creates a new Alert instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Alert instance
             */
            static create(properties: email.v1.Alert.$Shape): email.v1.Alert & email.v1.Alert.$Shape;
            static create(properties?: email.v1.Alert.$Properties): email.v1.Alert;

            /**
             * Encodes the specified Alert message. Does not implicitly {@link email.v1.Alert.verify|verify} messages.
             * @param message Alert message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: email.v1.Alert.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Alert message, length delimited. Does not implicitly {@link email.v1.Alert.verify|verify} messages.
             * @param message Alert message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: email.v1.Alert.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Alert message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {email.v1.Alert & email.v1.Alert.$Shape} Alert
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): email.v1.Alert & email.v1.Alert.$Shape;

            /**
             * Decodes an Alert message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {email.v1.Alert & email.v1.Alert.$Shape} Alert
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): email.v1.Alert & email.v1.Alert.$Shape;

            /**
             * Verifies an Alert message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an Alert message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Alert
             */
            static fromObject(object: { [k: string]: any }): email.v1.Alert;

            /**
             * Creates a plain object from an Alert message. Also converts values to other types if specified.
             * @param message Alert
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: email.v1.Alert, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Alert to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Alert
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Alert {

            /** Properties of an Alert. */
            interface $Properties {

                /** Alert alertId */
                alertId?: (string|null);

                /** Alert tenantId */
                tenantId?: (string|null);

                /** Alert messageId */
                messageId?: (string|null);

                /** Alert receivedAtMs */
                receivedAtMs?: (number|null);

                /** Alert riskScore */
                riskScore?: (number|null);

                /** Alert verdict */
                verdict?: (email.v1.Verdict|null);

                /** Alert reasons */
                reasons?: (string[]|null);

                /** Alert modelVersion */
                modelVersion?: (string|null);

                /** Alert scoredAtMs */
                scoredAtMs?: (number|null);

                /** Alert mailFrom */
                mailFrom?: (string|null);

                /** Alert fromAddress */
                fromAddress?: (string|null);

                /** Alert subject */
                subject?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Alert. */
            type $Shape = email.v1.Alert.$Properties;
        }
    }
}

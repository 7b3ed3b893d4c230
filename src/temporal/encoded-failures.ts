// The failure converter used when payloads are encrypted (PAYLOAD_ENCRYPTION_KEYS): a failure's message
// and stack trace move into `encodedAttributes`, a payload the codec encrypts, so an API's answer or an
// incident's text quoted in an error never sits in the history in clear. Loaded by path (the SDK's
// `failureConverterPath`) by the worker's activities, by clients and by the workflow bundle.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

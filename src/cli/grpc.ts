// Recognising Temporal's gRPC failures: the client throws grpc-js ServiceErrors, sometimes wrapped
// (the SDK's own ServiceError keeps the gRPC one as its cause).
import { status } from '@grpc/grpc-js';
import { isGrpcServiceError } from '@temporalio/client';
import { describeTarget, type TemporalSettings } from '../config/temporal';
import { messageOf } from './errors';

export { isGrpcDeadlineError } from '@temporalio/client';

/** The gRPC status code of an error or of one of its causes. */
export function grpcCode(error: unknown): status | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

export function isUnavailable(error: unknown): boolean {
  return grpcCode(error) === status.UNAVAILABLE;
}

export function isInvalidArgument(error: unknown): boolean {
  return grpcCode(error) === status.INVALID_ARGUMENT;
}

export function unreachable(settings: TemporalSettings, error: unknown): string {
  return (
    `cannot reach Temporal at ${describeTarget(settings)}: ${messageOf(error)}. ` +
    'Is the server running? Point the CLI at it with TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TEMPORAL_API_KEY or TEMPORAL_PROFILE).'
  );
}

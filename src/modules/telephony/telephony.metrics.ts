import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';

export const CALLS_INITIATED = 'switchboard_calls_initiated_total';
export const CALLS_COMPLETED = 'switchboard_calls_completed_total';
export const CALLS_FAILED = 'switchboard_calls_failed_total';
export const CALL_DURATION = 'switchboard_call_duration_seconds';
export const CALL_QUEUE_DEPTH = 'switchboard_call_queue_depth';
export const MEDIA_FRAMES = 'switchboard_media_frames_total';
export const ACTIVE_CALLS = 'switchboard_active_calls';
export const MEDIA_INBOUND_LAG = 'switchboard_media_inbound_lag_seconds';

export const telephonyMetricProviders = [
  makeCounterProvider({
    name: CALLS_INITIATED,
    help: 'Calls started, by direction.',
    labelNames: ['direction'],
  }),
  makeCounterProvider({ name: CALLS_COMPLETED, help: 'Calls that ended normally (completed).' }),
  makeCounterProvider({
    name: CALLS_FAILED,
    help: 'Calls that ended otherwise, by reason (busy, no_answer, failed, canceled, stream_disconnected, shutdown...).',
    labelNames: ['reason'],
  }),
  makeHistogramProvider({
    name: CALL_DURATION,
    help: 'Duration of ended calls in seconds.',
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 3600],
  }),
  makeGaugeProvider({ name: CALL_QUEUE_DEPTH, help: 'Callers waiting in the call queue.' }),
  makeCounterProvider({
    name: MEDIA_FRAMES,
    help: 'Media-stream frames, inbound (from the caller) and outbound (to the caller).',
    labelNames: ['direction'],
  }),
  makeGaugeProvider({ name: ACTIVE_CALLS, help: 'Live media streams on this instance.' }),
  makeHistogramProvider({
    name: MEDIA_INBOUND_LAG,
    help: "How late caller audio frames are handled relative to the stream's own timeline (delay variation: 0 for the most punctual frame of the stream). Growing values mean an overloaded instance.",
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2],
  }),
];

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
];

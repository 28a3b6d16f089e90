import { hostname } from 'node:os';

/** Identifies this process among instances sharing Redis (pod name in Kubernetes, plus pid and a nonce). */
export const INSTANCE_ID = `${process.env.HOSTNAME ?? hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

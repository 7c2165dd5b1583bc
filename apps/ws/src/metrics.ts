import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The Prometheus metrics of one ws process, served at GET /metrics. */
export function createMetrics(sample: { connections: () => number; subscriptions: () => number }) {
  const registry = new Registry();
  // Includes nodejs_eventloop_lag_seconds and its percentiles, heap and RSS.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  new Gauge({
    name: 'estuary_ws_connections',
    help: 'Open WebSocket connections',
    registers: [registry],
    collect() {
      this.set(sample.connections());
    },
  });
  new Gauge({
    name: 'estuary_ws_subscriptions',
    help: 'Active subscriptions across all connections',
    registers: [registry],
    collect() {
      this.set(sample.subscriptions());
    },
  });
  let keyFailures = () => 0;
  let keyFailuresSeen = 0;
  new Counter({
    name: 'estuary_platform_key_fetch_failures_total',
    help: 'Platform JWKS fetches that failed (platform tokens refused meanwhile)',
    registers: [registry],
    collect() {
      const now = keyFailures();
      if (now > keyFailuresSeen) this.inc(now - keyFailuresSeen);
      keyFailuresSeen = now;
    },
  });
  return {
    registry,
    /** Where the platform-token verifier's failure count comes from (set once services exist). */
    platformKeyFailures(read: () => number) {
      keyFailures = read;
    },
    framesIn: new Counter({
      name: 'estuary_ws_frames_in_total',
      help: 'Frames received from clients',
      registers: [registry],
    }),
    framesOut: new Counter({
      name: 'estuary_ws_frames_out_total',
      help: 'Frames sent to clients',
      registers: [registry],
    }),
    busOut: new Counter({
      name: 'estuary_bus_messages_out_total',
      help: 'Messages this process published on the bus',
      registers: [registry],
    }),
    busIn: new Counter({
      name: 'estuary_bus_messages_in_total',
      help: 'Bus messages received from other processes',
      registers: [registry],
    }),
    busLag: new Histogram({
      name: 'estuary_bus_delivery_lag_seconds',
      help: 'Publish-to-deliver delay of bus messages from other processes',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    slowConsumers: new Counter({
      name: 'estuary_ws_slow_consumer_disconnects_total',
      help: 'Connections cut because their send buffer passed the limit',
      registers: [registry],
    }),
    pushStreams: new Counter({
      name: 'estuary_ws_push_streams_total',
      help: 'Subscriptions the lean handler ran in push form (message streams)',
      registers: [registry],
    }),
    pushWaits: new Counter({
      name: 'estuary_ws_push_backpressure_waits_total',
      help: 'Times a push-form subscription found its socket full and stopped writing until it drained',
      registers: [registry],
    }),
    refused: new Counter({
      name: 'estuary_ws_refused_total',
      help: 'Upgrades or connections refused',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

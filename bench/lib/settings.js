// How long and how hard each mode measures. `full` is what `npm run bench` reports; `quick` is a
// check under 3 minutes; `smoke` only proves the harness works end to end (the jest test).
'use strict';

const MODES = {
  full: {
    throughput: { rounds: 5, warmupS: 2, durationS: 8, connections: 10 },
    delivery: { rounds: 2, restarts: 3, steadyS: 2, overallRate: 200, connections: 4 },
    shutdown: { samples: 7, loadS: 1, overallRate: 200, connections: 4 },
    startup: { spawns: 15 },
    dispatch: { rounds: 2_000 },
    deadlineS: 900,
  },
  quick: {
    throughput: { rounds: 3, warmupS: 1, durationS: 4, connections: 10 },
    delivery: { rounds: 1, restarts: 3, steadyS: 1.5, overallRate: 200, connections: 4 },
    shutdown: { samples: 3, loadS: 1, overallRate: 200, connections: 4 },
    startup: { spawns: 10 },
    dispatch: { rounds: 500 },
    deadlineS: 240,
  },
  smoke: {
    throughput: { rounds: 1, warmupS: 0.5, durationS: 1, connections: 4 },
    delivery: { rounds: 1, restarts: 1, steadyS: 0.5, overallRate: 100, connections: 2 },
    shutdown: { samples: 1, loadS: 0.5, overallRate: 100, connections: 2 },
    startup: { spawns: 2 },
    dispatch: { rounds: 50 },
    deadlineS: 150,
  },
};

/** The goals of issue 6, checked in the report (never in tests). */
const GOALS = {
  delivery_forkhooks: 1.0,
  throughput_vs_nodesdk: 1.1,
  throughput_vs_untraced: 0.35,
  startup_fraction_of_nodesdk_auto: 0.1,
  rss_added_mb: 12,
  shutdown_ms: 250,
  dispatch_ns_per_hook: 5_000,
};

module.exports = { MODES, GOALS };

// Bench app: the fibonacci service on 2 cluster workers, no tracing at all (the baseline).
'use strict';
require('./serve').serve();

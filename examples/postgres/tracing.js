// Required first by main.js, before pg: instrumentations patch a module as it is loaded.
// register traces http and builds each worker's provider in postfork; pg is added here.
'use strict';
require('@forkhooks/otel-init/register');
const { enableInstrumentations } = require('@forkhooks/otel-init');
const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg');

enableInstrumentations([new PgInstrumentation()]);

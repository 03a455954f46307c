// Imported first by the CLI: `.env` is read before any other module runs, so modules that read the
// environment when they load (the strategy catalog's WEAVER_STRATEGY_MODULES) see it too.
import { loadDotEnv } from '../config.ts';

loadDotEnv();

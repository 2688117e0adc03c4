// The tests' PostgreSQL: see tools/collector/pglocal.ts (also used by `make bench-collector`).
export { freshDatabase, pgSkipReason } from '../../tools/collector/pglocal';

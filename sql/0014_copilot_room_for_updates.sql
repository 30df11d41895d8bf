-- Room on each page for the next version of the rows the service updates in place, so that PostgreSQL can keep the
-- new version on the same page, and without a new index entry (a HOT update) when no indexed column changed. The rows
-- updated: a session's header and its reused segment rows (orleansstorage), a session's row in its user's list (a
-- rename or an activity flush: copilot_user_sessions), and a session's title row in the search index (copilot_search,
-- on a rename). At the default fillfactor of 100, pages filled by a burst of new sessions were full, and the first
-- rename of each session moved its rows to other pages and added an entry to each table's unique index: a rename for
-- a user with 1,000 sessions wrote about 300 bytes (a fifth) more WAL than for a user with 10. Pages written from now
-- on keep 10% (orleansstorage, copilot_search) and 30% (the list rows: small and updated often) free; existing pages
-- follow as their rows move, or at once after a VACUUM FULL.
ALTER TABLE orleansstorage SET (fillfactor = 90);
ALTER TABLE copilot_user_sessions SET (fillfactor = 70);
ALTER TABLE copilot_search SET (fillfactor = 90);

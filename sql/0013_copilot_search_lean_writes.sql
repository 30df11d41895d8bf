-- Search index writes with less WAL and CPU per turn (docs/storage.md, "Search": where a turn's WAL goes).
--
-- Nothing here changes what a search finds or returns, and no stored row needs converting: rows written before this
-- script are read as they are, and copilot_search_rebuild() writes every row the new way.

-- The words with a digit, found by one regular-expression pass instead of splitting the whole text into words and
-- testing each one: the same text (maximal runs of non-space characters holding a digit, in order, space-separated),
-- for about a tenth of the CPU on a 2,000-character reply. The stored codes of existing rows are what this returns.
CREATE OR REPLACE FUNCTION copilot_search_codes(body text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT COALESCE(string_agg(m[1], ' '), '')
    FROM regexp_matches(body, '\S*[0-9]\S*', 'g') AS m
$function$;

-- A message's row keeps its text and tsvector in the table's own page, compressed, rather than moving the tsvector
-- (about 2 KB for a 2,000-character reply, which compresses poorly) to TOAST: one heap record per message instead of
-- a heap record, TOAST chunks and their TOAST index entries. Only rows over a page still go to TOAST.
ALTER TABLE copilot_search SET (toast_tuple_target = 8160);
ALTER TABLE copilot_search ALTER COLUMN body SET STORAGE MAIN;
ALTER TABLE copilot_search ALTER COLUMN tsv SET STORAGE MAIN;

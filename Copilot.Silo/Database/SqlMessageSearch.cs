using System.Globalization;
using System.Text;
using Copilot.Api.V1.Search;
using Npgsql;
using NpgsqlTypes;

namespace Copilot.Silo.Database;

/// <summary>Searches <c>copilot_search</c> (<c>sql/0010_copilot_search.sql</c>): words through the <c>tsvector</c> index,
/// fragments with a digit through the trigram index of the codes (the words with a digit), both under the caller's user
/// id, which every query names; a fragment without a digit is checked on that user's rows.</summary>
internal sealed class SqlMessageSearch(CopilotDatabase database, SearchIndexRecovery recovery) : IMessageSearch
{
    /// <summary>The headline's length in words (about 160 characters of English). PostgreSQL's parser would drop what
    /// looks like an HTML tag from it, so it reads each <c>&lt;</c> as <see cref="SearchSnippet.TagOpen"/>.</summary>
    private const string HeadlineOptions = "StartSel=\"\uE000\", StopSel=\"\uE001\", MaxWords=28, MinWords=12, ShortWord=2";

    /// <exception cref="SearchIndexRebuildingException">The index is not whole (lost in a crash of PostgreSQL, or being
    /// rebuilt); a rebuild is started if none runs.</exception>
    public async Task<IReadOnlyList<SearchRow>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        var query = request.Query;
        while (true)
        {
            // Whether the index is whole, and what PostgreSQL makes of the words, asked in the same round trip as the search.
            await using var batch = database.DataSource.CreateBatch();
            var check = new NpgsqlBatchCommand(query.Words is null
                ? "SELECT EXISTS (SELECT FROM copilot_search_built)"
                : "SELECT EXISTS (SELECT FROM copilot_search_built), numnode(q), querytree(q)::text FROM websearch_to_tsquery('english', @words) q");
            if (query.Words is { } words)
            {
                check.Parameters.AddWithValue("words", words);
            }

            batch.BatchCommands.Add(check);
            var search = new NpgsqlBatchCommand();
            search.CommandText = BuildSql(request with { Query = query }, search.Parameters);
            batch.BatchCommands.Add(search);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken) || !reader.GetBoolean(0))
            {
                recovery.EnsureRebuilding();
                throw new SearchIndexRebuildingException();
            }

            // Stop words only ("the"): PostgreSQL's query is empty and would match nothing, so the fragments alone decide.
            // Nothing a hit must hold (only exclusions, "the -rake", or "roof or -rake", which all but everything
            // matches): refused, as the query's parse refuses what it can tell without PostgreSQL.
            var nodes = query.Words is null ? 0 : reader.GetInt32(1);
            var wordsMustMatch = nodes > 0 && reader.GetString(2) != "T";
            if (!wordsMustMatch && query.Fragments.Count == 0)
            {
                throw new SearchQueryEmptyException();
            }

            if (query.Words is not null && nodes == 0)
            {
                query = query with { Words = null };
                continue;
            }

            await reader.NextResultAsync(cancellationToken);
            var rows = new List<SearchRow>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new SearchRow(
                    reader.GetGuid(0),
                    reader.GetGuid(1),
                    reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3),
                    reader.GetFloat(4),
                    reader.GetInt64(5),
                    reader.GetString(6),
                    reader.GetBoolean(7),
                    reader.GetString(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9)));
            }

            return rows;
        }
    }

    /// <summary>The query for <paramref name="request"/>: one condition per part of the query, every value a parameter.
    /// Ranks every match of the user, pages by keyset, then counts the hits of the page's sessions and reads the text and
    /// makes headlines for the page's rows only: the matches carry no text or tsvector, so ranking thousands of them
    /// sorts narrow rows.</summary>
    private static string BuildSql(SearchRequest request, NpgsqlParameterCollection parameters)
    {
        var query = request.Query;
        var conditions = new StringBuilder("s.user_id = @user");
        parameters.AddWithValue("user", request.UserId);
        var rank = "0::real";
        if (query.Words is { } words)
        {
            parameters.AddWithValue("words", words);
            conditions.Append(" AND s.tsv @@ websearch_to_tsquery('english', @words)");
            rank = "ts_rank(s.tsv, websearch_to_tsquery('english', @words))";
        }

        var codes = 0;
        for (var i = 0; i < query.Fragments.Count; i++)
        {
            // The index holds only the words with a digit (copilot_search_terms): each such word of the fragment is in
            // the codes of every text that contains the fragment, so they find the candidates, and the text decides.
            foreach (var word in query.Fragments[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Where(w => w.Any(char.IsAsciiDigit)))
            {
                parameters.AddWithValue($"c{codes}", Like(word));
                conditions.Append(CultureInfo.InvariantCulture, $" AND s.codes ILIKE @c{codes++}");
            }

            parameters.AddWithValue($"f{i}", Like(query.Fragments[i]));
            conditions.Append(CultureInfo.InvariantCulture, $" AND s.body ILIKE @f{i}");
        }

        for (var i = 0; i < query.ExcludedFragments.Count; i++)
        {
            parameters.AddWithValue($"x{i}", Like(query.ExcludedFragments[i]));
            conditions.Append(CultureInfo.InvariantCulture, $" AND s.body NOT ILIKE @x{i}");
        }

        if (request.Persona is { } persona)
        {
            parameters.AddWithValue("persona", persona);
            conditions.Append(" AND s.persona = @persona");
        }

        if (request.From is { } from)
        {
            parameters.AddWithValue("from", from);
            conditions.Append(" AND s.created_at >= @from");
        }

        if (request.To is { } to)
        {
            parameters.AddWithValue("to", to);
            conditions.Append(" AND s.created_at < @to");
        }

        var keyset = "";
        if (request.After is { } after)
        {
            parameters.Add(new NpgsqlParameter("after_rank", NpgsqlDbType.Real) { Value = after.Rank });
            parameters.AddWithValue("after_time", after.CreatedAt);
            parameters.AddWithValue("after_session", after.SessionId);
            parameters.AddWithValue("after_message", after.MessageId);
            keyset = "WHERE (m.rank, m.created_at, m.session_id, m.message_id) < (@after_rank, @after_time, @after_session, @after_message)";
        }

        parameters.AddWithValue("take", request.Limit + 1);
        var headline = query.Words is null
            ? "NULL::text"
            : $"ts_headline('english', translate(b.body, E'\\uE000\\uE001\\uE002<', E'   \\uE002'), websearch_to_tsquery('english', @words), '{HeadlineOptions}')";
        return $"""
            WITH matches AS
            (
                SELECT s.session_id, s.message_id, s.created_at, {rank} AS rank
                FROM copilot_search s
                WHERE {conditions}
            ),
            page AS
            (
                SELECT m.*
                FROM matches m
                {keyset}
                ORDER BY m.rank DESC, m.created_at DESC, m.session_id DESC, m.message_id DESC
                LIMIT @take
            ),
            counts AS
            (
                SELECT m.session_id, count(*) AS hits_in_session
                FROM matches m
                WHERE m.session_id IN (SELECT session_id FROM page)
                GROUP BY m.session_id
            )
            SELECT p.session_id, p.message_id, b.role, p.created_at, p.rank, c.hits_in_session, t.body, t.branched, b.body,
                   {headline}
            FROM page p
            JOIN counts c ON c.session_id = p.session_id
            JOIN copilot_search b ON b.session_id = p.session_id AND b.message_id = p.message_id
            JOIN copilot_search t ON t.session_id = p.session_id AND t.message_id = '00000000-0000-0000-0000-000000000000'
            ORDER BY p.rank DESC, p.created_at DESC, p.session_id DESC, p.message_id DESC
            """;
    }

    /// <summary>An <c>ILIKE</c> pattern matching <paramref name="fragment"/> anywhere, its wildcards taken literally.</summary>
    private static string Like(string fragment) =>
        "%" + fragment.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Copilot.Grains;

/// <summary>Names and formats shared by everything that stores or reads grain state.</summary>
public static class CopilotStorage
{
    /// <summary>The grain storage provider (ADO.NET on PostgreSQL).</summary>
    public const string ProviderName = "copilot";

    /// <summary>State name of a session header row (the <c>graintypestring</c> column).</summary>
    public const string SessionStateName = "copilotsession";

    /// <summary>State name of a sealed page row.</summary>
    public const string SessionPageStateName = "copilotsessionpage";

    /// <summary>State name of a segment row: the messages of one write, stored once.</summary>
    public const string SessionSegmentStateName = "copilotsegment";

    /// <summary>State name of a user's session index row.</summary>
    public const string UserSessionsStateName = "copilotusersessions";

    /// <summary>State name of a user's daily model-token count.</summary>
    public const string UserUsageStateName = "copilotuserusage";

    /// <summary>The JSON format of every stored state: snake_case names and enums, readable UTF-8, nulls kept, no type names.</summary>
    /// <remarks>SQL views read these rows, so property names are part of the stored format.</remarks>
    public static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    /// <summary>Applies the stored format to <paramref name="options"/> (Orleans' serializer options, or a fresh instance).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;

        // The default encoder escapes every non-ASCII character; stored rows should read as the text the user wrote.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.WriteIndented = false;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions();
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

using Microsoft.Net.Http.Headers;

namespace Copilot.Api.ChatConsole;

/// <summary>One of the console's static files, held in memory with its content type and a content-hash ETag.</summary>
internal sealed record class ConsoleFile(byte[] Contents, string ContentType, EntityTagHeaderValue ETag);

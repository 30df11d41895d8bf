using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Copilot.Api.ChatConsole;

/// <summary>The console's static files, embedded in this assembly so they are found whatever the content root.</summary>
internal sealed class ConsoleFiles
{
    private const string Root = "ChatConsole/wwwroot";

    private readonly FrozenDictionary<string, ConsoleFile> _files;

    private ConsoleFiles(FrozenDictionary<string, ConsoleFile> files) => _files = files;

    /// <summary>Reads every embedded file once; they are small and never change while the process runs.</summary>
    public static ConsoleFiles Load()
    {
        var provider = new ManifestEmbeddedFileProvider(typeof(ConsoleFiles).Assembly, Root);
        var contentTypes = new FileExtensionContentTypeProvider();
        contentTypes.Mappings[".mjs"] = "text/javascript";
        var files = new Dictionary<string, ConsoleFile>(StringComparer.Ordinal);
        Collect(provider, "", contentTypes, files);
        return new ConsoleFiles(files.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The file at <paramref name="path"/> (relative, <c>/</c>-separated), or null.</summary>
    public ConsoleFile? Find(string path) => _files.GetValueOrDefault(path);

    private static void Collect(
        IFileProvider provider, string directory, FileExtensionContentTypeProvider contentTypes, Dictionary<string, ConsoleFile> files)
    {
        foreach (var entry in provider.GetDirectoryContents($"/{directory}"))
        {
            var path = directory.Length == 0 ? entry.Name : $"{directory}/{entry.Name}";
            if (entry.IsDirectory)
            {
                Collect(provider, path, contentTypes, files);
                continue;
            }

            using var stream = entry.CreateReadStream();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var contents = buffer.ToArray();
            var contentType = contentTypes.TryGetContentType(entry.Name, out var known) ? known : "application/octet-stream";
            if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType == "application/json")
            {
                contentType += "; charset=utf-8";
            }

            var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(contents))[..32]}\"");
            files[path] = new ConsoleFile(contents, contentType, tag);
        }
    }
}

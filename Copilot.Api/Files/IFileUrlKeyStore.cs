namespace Copilot.Api.Files;

/// <summary>Where the silos of one service keep the key of the signed file links, so that a link one silo signs is
/// valid on every other: the service's database (<c>sql/0017_copilot_signing_keys.sql</c>).</summary>
public interface IFileUrlKeyStore
{
    /// <summary>The service's key: the one stored already, or <paramref name="candidate"/>, stored now, when there is
    /// none yet. Silos starting together all get the same key.</summary>
    Task<byte[]> GetOrAddAsync(byte[] candidate, CancellationToken cancellationToken);
}

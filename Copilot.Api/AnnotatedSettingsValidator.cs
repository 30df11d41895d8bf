using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Copilot.Api;

/// <summary>Checks the data annotations of <typeparamref name="TOptions"/> bound from <c>section</c>; see
/// <see cref="SettingsValidation.ValidateSettings"/>.</summary>
internal sealed class AnnotatedSettingsValidator<TOptions>(string? name, string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? optionsName, TOptions options)
    {
        if (name is not null && name != optionsName)
        {
            return ValidateOptionsResult.Skip;
        }

        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(results.Select(Describe));
    }

    /// <summary>"The field MaxImagesPerMessage must be between 1 and 100." becomes "Copilot:Files:MaxImagesPerMessage
    /// (Copilot__Files__MaxImagesPerMessage) must be between 1 and 100."</summary>
    private string Describe(ValidationResult result)
    {
        var message = result.ErrorMessage ?? "is not valid.";
        if (result.MemberNames.FirstOrDefault() is not { } member)
        {
            return $"{section}: {message}";
        }

        var key = $"{section}:{member}";
        var setting = $"{key} ({key.Replace(":", "__", StringComparison.Ordinal)})";
        var named = message
            .Replace($"The field {member}", setting, StringComparison.Ordinal)
            .Replace($"The {member} field", setting, StringComparison.Ordinal);
        return named == message ? $"{setting}: {message}" : named;
    }
}

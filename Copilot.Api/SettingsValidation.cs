using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Copilot.Api;

/// <summary>Validation of a bound settings class by its data annotations (<c>[Range]</c>, <c>[Required]</c>), whose
/// failures name each setting as an operator writes it.</summary>
public static class SettingsValidation
{
    /// <summary>Validates the options' data annotations, naming a failing property as <c>Section:Name
    /// (Section__Name)</c> rather than by its class (what <c>ValidateDataAnnotations</c> says: "validation failed for
    /// 'FilesOptions' members: 'MaxImagesPerMessage'").</summary>
    /// <param name="builder">The options bound from <paramref name="sectionName"/>.</param>
    /// <param name="sectionName">The configuration section, e.g. <c>Copilot:Files</c>.</param>
    public static OptionsBuilder<TOptions> ValidateSettings<TOptions>(this OptionsBuilder<TOptions> builder, string sectionName)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new AnnotatedSettingsValidator<TOptions>(builder.Name, sectionName));
        return builder;
    }
}

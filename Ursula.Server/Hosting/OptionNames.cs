// Validation messages that name the option the way the operator set it: the command-line flag and
// its configuration key ("--hot-tail-bytes (HotTailBytes): ..."), not the C# property alone.
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Ursula.Server.Hosting.Cli;

namespace Ursula.Server.Hosting;

public static class OptionNames
{
    /// <summary>"--flag (Key)" for a configuration key that has a flag, else the key.</summary>
    public static string Describe(string key) =>
        CommandLine.Options.FirstOrDefault(o => o.Key.Equals(key, StringComparison.OrdinalIgnoreCase)) is { } option
            ? $"{option.Flag} ({option.Key})"
            : key;

    /// <summary>The DataAnnotations errors of <paramref name="options"/>, each naming its option; empty when valid.</summary>
    public static List<string> Validate(object options, string? section)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r =>
        {
            var member = r.MemberNames.FirstOrDefault();
            var key = member is null ? section ?? options.GetType().Name : section is null ? member : $"{section}:{member}";
            return $"{Describe(key)}: {r.ErrorMessage}";
        }).ToList();
    }

    /// <summary>Validates the options class at start (ValidateOnStart) with messages naming the flags.</summary>
    public static OptionsBuilder<T> ValidateNamingOptions<T>(this OptionsBuilder<T> builder, string? section)
        where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new NamingValidator<T>(builder.Name, section));
        return builder.ValidateOnStart();
    }

    private sealed class NamingValidator<T>(string? name, string? section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if (name is not null && name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }

            var errors = OptionNames.Validate(options, section);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}

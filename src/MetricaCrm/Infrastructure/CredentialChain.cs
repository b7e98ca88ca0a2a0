using System;
using System.Linq;
using System.Management.Automation;
using System.Security;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>A token and where it came from (the source is safe to print; the token never is).</summary>
    internal sealed class FoundToken
    {
        public FoundToken(SecureString token, string source)
        {
            Token = token;
            Source = source;
        }

        public SecureString Token { get; }
        public string Source { get; }
    }

    /// <summary>A token source that was named but cannot be read; the cmdlet decides whether it ends the command.</summary>
    internal sealed class MetricaCredentialException : Exception
    {
        public MetricaCredentialException(string errorId, ErrorCategory category, string secretName, string message) : base(message) =>
            ErrorRecord = new ErrorRecord(new InvalidOperationException(message), errorId, category, secretName);

        public ErrorRecord ErrorRecord { get; }
    }

    /// <summary>
    /// Finds the Metrica token, first match wins: -Token or -Credential; a SecretManagement secret named by -SecretName
    /// (with -Vault); the Connect-Metrica session; a secret named by METRICA_SECRET_NAME; METRICA_TOKEN. A secret that
    /// was asked for by name and cannot be read is an error, never a fall-through: a later source might hold another
    /// account's token. SecretManagement is a soft dependency, loaded and called module-qualified only when a name is given.
    /// </summary>
    internal static class CredentialChain
    {
        public const string TokenVariable = "METRICA_TOKEN";
        public const string SecretNameVariable = "METRICA_SECRET_NAME";
        private const string SecretModule = "Microsoft.PowerShell.SecretManagement";

        /// <exception cref="MetricaCredentialException">A secret was named and cannot be read.</exception>
        public static FoundToken? Find(SecureString? token, PSCredential? credential, string? secretName, string? vault, MetricaConnection? session)
        {
            // Two tokens given at once: which one the user meant is a guess, and a wrong guess sends with another account.
            int given = (token != null ? 1 : 0) + (credential != null ? 1 : 0) + (string.IsNullOrWhiteSpace(secretName) ? 0 : 1);
            if (given > 1)
                throw new MetricaCredentialException("MetricaTokenAmbiguous", ErrorCategory.InvalidArgument, "",
                    "Give one token source: -Token, -Credential or -SecretName, not several (each may hold another account's token).");
            if (token != null) return new FoundToken(token, "-Token");
            if (credential != null) return new FoundToken(credential.Password, "-Credential");
            if (!string.IsNullOrWhiteSpace(secretName)) return ReadSecret(secretName!, vault, "-SecretName");
            if (session?.Token != null) return new FoundToken(session.Token, "Connect-Metrica (" + session.TokenSource + ")");
            var nameFromEnv = Environment.GetEnvironmentVariable(SecretNameVariable);
            if (!string.IsNullOrWhiteSpace(nameFromEnv)) return ReadSecret(nameFromEnv.Trim(), vault, SecretNameVariable);
            var plain = Environment.GetEnvironmentVariable(TokenVariable);
            if (!string.IsNullOrWhiteSpace(plain)) return new FoundToken(ToSecure(plain), TokenVariable);
            return null;
        }

        public static ErrorRecord Missing() => new ErrorRecord(new InvalidOperationException(
            "No Metrica OAuth token: pass -Token (a SecureString) or -Credential (the password is the token), name a SecretManagement secret " +
            $"with -SecretName [-Vault] or the {SecretNameVariable} environment variable, run Connect-Metrica, or set the {TokenVariable} environment variable."),
            "MetricaTokenMissing", ErrorCategory.AuthenticationError, null);

        private static FoundToken ReadSecret(string name, string? vault, string namedBy)
        {
            string what = vault == null ? $"secret '{name}'" : $"secret '{name}' in vault '{vault}'";
            using (var ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                try
                {
                    ps.AddCommand("Microsoft.PowerShell.Core\\Import-Module").AddParameter("Name", SecretModule).AddParameter("ErrorAction", ActionPreference.Stop);
                    ps.Invoke();
                }
                catch (RuntimeException ex)
                {
                    throw Fail("MetricaSecretManagementUnavailable", ErrorCategory.ObjectNotFound, name,
                        $"The Metrica token is to come from SecretManagement ({what}, named by {namedBy}), but the {SecretModule} module cannot be loaded: {Reason(ex)} " +
                        $"Install it (Install-PSResource {SecretModule}) for the account that runs this script, or pass the token another way.");
                }

                ps.Commands.Clear();
                ps.AddCommand(SecretModule + "\\Get-Secret").AddParameter("Name", name).AddParameter("ErrorAction", ActionPreference.Stop);
                if (vault != null) ps.AddParameter("Vault", vault);
                object? secret;
                try
                {
                    secret = ps.Invoke().FirstOrDefault()?.BaseObject;
                }
                catch (RuntimeException ex)
                {
                    throw Fail("MetricaSecretUnavailable", ErrorCategory.ReadError, name,
                        $"Cannot read the Metrica token from SecretManagement {what} (named by {namedBy}): {Reason(ex)} " +
                        "A scheduled task runs as its own account: register the vault and store the secret as that account (and unlock the vault in the script if it needs a password).");
                }
                switch (secret)
                {
                    case SecureString s: return new FoundToken(s, $"SecretManagement {what}");
                    case PSCredential c: return new FoundToken(c.Password, $"SecretManagement {what} (a credential; its password is the token)");
                    case null:
                        throw Fail("MetricaSecretUnavailable", ErrorCategory.ObjectNotFound, name,
                            $"SecretManagement returned nothing for {what} (named by {namedBy}).");
                    default:
                        throw Fail("MetricaSecretInvalidType", ErrorCategory.InvalidType, name,
                            $"SecretManagement {what} is a {secret.GetType().Name}; the Metrica token must be stored as a SecureString (Set-Secret -SecureStringSecret) or a PSCredential.");
                }
            }
        }

        /// <summary>
        /// The failing command's own message. -ErrorAction Stop wraps a non-terminating error in PowerShell's
        /// "The running command stopped because the preference variable ..." text, which says nothing about the vault.
        /// </summary>
        private static string Reason(RuntimeException ex)
        {
            var inner = ex is ActionPreferenceStopException ? ex.ErrorRecord : null;
            var message = inner?.ErrorDetails?.Message ?? inner?.Exception?.Message ?? ex.Message;
            message = message.Trim();
            return message.EndsWith(".", StringComparison.Ordinal) ? message : message + ".";
        }

        private static Exception Fail(string errorId, ErrorCategory category, string secretName, string message) =>
            new MetricaCredentialException(errorId, category, secretName, message);

        private static SecureString ToSecure(string plain)
        {
            var s = new SecureString();
            foreach (var c in plain.Trim()) s.AppendChar(c);
            s.MakeReadOnly();
            return s;
        }
    }
}

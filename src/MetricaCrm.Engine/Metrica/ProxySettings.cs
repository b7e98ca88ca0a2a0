using System;
using System.Net;
using System.Net.Http;

namespace MetricaCrm.Engine.Metrica
{
    /// <summary>
    /// The proxy the Metrica client goes through: the system proxy with the signed-in account's credentials (what a
    /// corporate network usually needs, like a browser), or an explicit address with optional credentials.
    /// </summary>
    public sealed class ProxySettings
    {
        public static readonly ProxySettings System = new ProxySettings(null, null);

        public ProxySettings(Uri? address, NetworkCredential? credential)
        {
            Address = address;
            Credential = credential;
        }

        /// <summary>Null: the system proxy (WinINet/environment settings), or none when it has none.</summary>
        public Uri? Address { get; }
        /// <summary>Null: the default credentials of the account running the script.</summary>
        public NetworkCredential? Credential { get; }

        /// <summary>Tells clients apart in the shared cache; the password enters only as a hash, so a changed one gets a new client.</summary>
        internal string Key => Address == null ? "system" :
            Address.AbsoluteUri + "|" + Credential?.Domain + "\\" + Credential?.UserName + "|" + (Credential?.Password ?? "").GetHashCode();

        // No redirect is followed: Metrica's API does not redirect, and a followed 307/308 would re-send an upload's file
        // (phones, e-mails) to wherever Location points. The client reports the redirect instead.
        internal HttpClientHandler CreateHandler() => Address == null
            ? new HttpClientHandler { UseProxy = true, DefaultProxyCredentials = CredentialCache.DefaultCredentials, AllowAutoRedirect = false }
            : new HttpClientHandler { UseProxy = true, Proxy = new WebProxy(Address) { Credentials = (ICredentials?)Credential ?? CredentialCache.DefaultCredentials }, AllowAutoRedirect = false };

        /// <summary>Which proxy a request to <paramref name="target"/> would take, for diagnostics (never a password).</summary>
        public string Describe(Uri target)
        {
            string who = Credential == null ? "the current account's credentials" : "user " + (string.IsNullOrEmpty(Credential.Domain) ? "" : Credential.Domain + "\\") + Credential.UserName;
            if (Address != null) return $"proxy {Address.GetLeftPart(UriPartial.Authority)} ({who})";
#if NET
            var system = HttpClient.DefaultProxy;
#else
            var system = WebRequest.DefaultWebProxy;
#endif
            if (system == null || system.IsBypassed(target)) return "direct (no system proxy for " + target.Host + ")";
            var via = system.GetProxy(target);
            return via == null || via == target ? "direct (no system proxy for " + target.Host + ")" : $"system proxy {via.GetLeftPart(UriPartial.Authority)} ({who})";
        }
    }
}

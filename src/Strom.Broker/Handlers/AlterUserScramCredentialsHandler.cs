using Strom.Broker.Network;
using Strom.Broker.Security;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// AlterUserScramCredentials (51, KIP-554): the client sends the salt and salted password, the
/// broker keeps only StoredKey and ServerKey derived from them. Per user, all or nothing: a
/// user named twice is DUPLICATE_RESOURCE, an unknown mechanism UNSUPPORTED_SASL_MECHANISM,
/// iterations outside [4096, 16384] or an empty name/salt UNACCEPTABLE_CREDENTIAL, deleting
/// what does not exist RESOURCE_NOT_FOUND.
/// </summary>
public sealed class AlterUserScramCredentialsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 0;

    public AlterUserScramCredentialsResponse Handle(RequestContext context, AlterUserScramCredentialsRequest request)
    {
        var store = broker.ScramCredentials;
        var entries = request.Deletions.Select(d => (d.Name, d.Mechanism, Upsert: (AlterUserScramCredentialsRequest.ScramCredentialUpsertion?)null))
            .Concat(request.Upsertions.Select(u => (u.Name, u.Mechanism, Upsert: (AlterUserScramCredentialsRequest.ScramCredentialUpsertion?)u)))
            .ToList();
        var errors = new Dictionary<string, (ErrorCode Code, string Message)>(StringComparer.Ordinal);
        void Fail(string user, ErrorCode code, string message) => errors.TryAdd(user, (code, message));

        foreach (var group in entries.GroupBy(e => (e.Name, e.Mechanism)).Where(g => g.Count() > 1))
        {
            Fail(group.Key.Name, ErrorCode.DuplicateResource, "A user credential cannot be altered twice in the same request");
        }
        var changes = new List<(string User, ScramMechanism Mechanism, ScramCredential? Credential)>();
        foreach (var (name, code, upsert) in entries)
        {
            var mechanism = ScramMechanism.FromCode(code);
            if (name.Length == 0)
            {
                Fail(name, ErrorCode.UnacceptableCredential, "Username must not be empty");
            }
            else if (mechanism is null)
            {
                Fail(name, ErrorCode.UnsupportedSaslMechanism, $"Unknown SCRAM mechanism {code}");
            }
            else if (upsert is null)
            {
                if (store.Find(name, mechanism) is null)
                {
                    Fail(name, ErrorCode.ResourceNotFound, $"Attempt to delete a user credential that does not exist: {mechanism.Name}");
                }
                changes.Add((name, mechanism, null));
            }
            else if (upsert.Iterations < ScramMechanism.MinIterations || upsert.Iterations > ScramMechanism.MaxIterations)
            {
                Fail(name, ErrorCode.UnacceptableCredential,
                    $"Iterations {upsert.Iterations} not in [{ScramMechanism.MinIterations}, {ScramMechanism.MaxIterations}] for {mechanism.Name}");
            }
            else if (upsert.Salt.Length == 0 || upsert.SaltedPassword.Length == 0)
            {
                Fail(name, ErrorCode.UnacceptableCredential, "Salt and salted password must not be empty");
            }
            else
            {
                changes.Add((name, mechanism, mechanism.CredentialFromSaltedPassword(upsert.Salt, upsert.SaltedPassword, upsert.Iterations)));
            }
        }
        store.Apply(changes.Where(c => !errors.ContainsKey(c.User)));

        var response = new AlterUserScramCredentialsResponse();
        foreach (var user in entries.Select(e => e.Name).Distinct(StringComparer.Ordinal))
        {
            var (code, message) = errors.TryGetValue(user, out var error) ? error : (ErrorCode.None, null!);
            response.Results.Add(new AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult
            {
                User = user,
                ErrorCode = (short)code,
                ErrorMessage = message,
            });
        }
        return response;
    }
}

using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// DescribeUserScramCredentials (50, KIP-554): mechanism and iterations per user, never the
/// salt or keys. No user list means every user; an unknown user gets RESOURCE_NOT_FOUND and a
/// user named twice DUPLICATE_RESOURCE.
/// </summary>
public sealed class DescribeUserScramCredentialsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 0;

    public DescribeUserScramCredentialsResponse Handle(RequestContext context, DescribeUserScramCredentialsRequest request)
    {
        var store = broker.ScramCredentials;
        var response = new DescribeUserScramCredentialsResponse();
        var requested = request.Users is { Count: > 0 } users ? users.Select(u => u.Name).ToList() : store.Users.ToList();
        var duplicates = requested.GroupBy(u => u, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var user in requested.Distinct(StringComparer.Ordinal))
        {
            var result = new DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult { User = user };
            if (duplicates.Contains(user))
            {
                result.ErrorCode = (short)ErrorCode.DuplicateResource;
                result.ErrorMessage = $"Cannot describe SCRAM credentials for the same user twice in a single request: {user}";
            }
            else if (store.Describe(user) is { Count: > 0 } credentials)
            {
                foreach (var (mechanism, iterations) in credentials)
                {
                    result.CredentialInfos.Add(new DescribeUserScramCredentialsResponse.CredentialInfo { Mechanism = mechanism.Code, Iterations = iterations });
                }
            }
            else
            {
                result.ErrorCode = (short)ErrorCode.ResourceNotFound;
                result.ErrorMessage = $"Attempt to describe a user credential that does not exist: {user}";
            }
            response.Results.Add(result);
        }
        return response;
    }
}

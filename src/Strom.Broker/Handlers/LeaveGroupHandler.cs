using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// LeaveGroup (13): v0-v2 one member by id, its error at the top level; v3+ a batch of members,
/// static ones by group.instance.id (KIP-345), an error per member.
/// </summary>
public sealed class LeaveGroupHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 5;

    public LeaveGroupResponse Handle(RequestContext context, LeaveGroupRequest request)
    {
        var response = new LeaveGroupResponse();
        if (context.ApiVersion < 3)
        {
            var (error, members) = broker.Groups.LeaveGroup(request.GroupId, [(request.MemberId, null)]);
            response.ErrorCode = (short)(error != ErrorCode.None ? error : members[0]);
            return response;
        }
        var leaving = request.Members.Select(m => (m.MemberId ?? "", m.GroupInstanceId)).ToList();
        var (groupError, results) = broker.Groups.LeaveGroup(request.GroupId, leaving);
        response.ErrorCode = (short)groupError;
        for (var i = 0; i < results.Count; i++)
        {
            response.Members.Add(new LeaveGroupResponse.MemberResponse
            {
                MemberId = leaving[i].Item1,
                GroupInstanceId = leaving[i].GroupInstanceId,
                ErrorCode = (short)results[i],
            });
        }
        return response;
    }
}

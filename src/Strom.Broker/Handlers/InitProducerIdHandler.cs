using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// InitProducerId (22) for idempotent producers without a transactional id: a fresh producer id
/// at epoch 0, every time (as Kafka does; a v3+ epoch-bump request also gets a new id). Requests
/// with a transactional id need the transaction coordinator and get COORDINATOR_NOT_AVAILABLE here.
/// </summary>
public sealed class InitProducerIdHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 5;

    public InitProducerIdResponse Handle(RequestContext context, InitProducerIdRequest request)
    {
        if (request.TransactionalId is not null)
        {
            return new InitProducerIdResponse { ErrorCode = (short)ErrorCode.CoordinatorNotAvailable, ProducerId = -1, ProducerEpoch = -1 };
        }
        return new InitProducerIdResponse { ProducerId = broker.ProducerIds.Next(), ProducerEpoch = 0 };
    }
}

using Copilot.Grains.ChatModel;
using Copilot.Grains.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Copilot.Grains.Sessions.Turns;

/// <summary>Streams the model's reply into an <see cref="ActiveTurn"/> and says how it ended: a failure, a timeout
/// between chunks, a stop or a shutdown become a status and an error code, never an exception.</summary>
internal sealed partial class ReplyGenerator(IChatClient chatClient, ChatModelOptions model, ILogger logger)
{
    /// <summary>Generates the reply to <paramref name="input"/> into <paramref name="turn"/>; <paramref name="measured"/>
    /// sees each chunk of text (for the time to first token).</summary>
    public async Task<ReplyOutcome> GenerateAsync(
        ActiveTurn turn, IList<ChatMessage> input, Guid sessionId, TurnMeasurement? measured = null)
    {
        var status = MessageStatus.Complete;
        string? errorCode = null;
        string? modelId = null;
        UsageDetails? usage = null;
        var repair = new ModelTextRepair();
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(turn.Cancellation.Token);
        var chatOptions = new ChatOptions
        {
            ModelId = model.EffectiveModel,
            Temperature = model.Temperature,
            MaxOutputTokens = model.MaxOutputTokens,
        };
        try
        {
            idle.CancelAfter(model.Timeout);
            await foreach (var update in chatClient.GetStreamingResponseAsync(input, chatOptions, idle.Token))
            {
                idle.CancelAfter(model.Timeout);
                modelId ??= update.ModelId;
                foreach (var content in update.Contents)
                {
                    if (content is UsageContent usageContent)
                    {
                        usage = usageContent.Details;
                    }
                }

                turn.Append(repair.Next(update.Text));
                measured?.Text(update.Text);
                if (turn.IsFull)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (turn.CancelledAs is { } reason)
        {
            status = reason;
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            status = MessageStatus.Failed;
            errorCode = ErrorCodes.ModelTimeout;
        }
        catch (ChatModelException ex)
        {
            status = MessageStatus.Failed;
            errorCode = ex.Code;
            LogModelFailed(logger, ex, sessionId, ex.Code);
        }
        catch (Exception ex)
        {
            status = MessageStatus.Failed;
            errorCode = ErrorCodes.ModelError;
            LogModelFailed(logger, ex, sessionId, errorCode);
        }

        turn.Append(repair.Flush());
        return new ReplyOutcome(status, new MessageMetadata
        {
            Model = modelId ?? model.EffectiveModel,
            InputTokens = usage?.InputTokenCount,
            OutputTokens = usage?.OutputTokenCount,
            InputImages = CountImages(input),
            ErrorCode = errorCode,
        });
    }

    private static int? CountImages(IList<ChatMessage> input)
    {
        var images = input.Sum(m => m.Contents.Count(c => c is DataContent data && data.HasTopLevelMediaType("image")));
        return images > 0 ? images : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the chat model failed ({ErrorCode})")]
    private static partial void LogModelFailed(ILogger logger, Exception exception, Guid sessionId, string errorCode);
}

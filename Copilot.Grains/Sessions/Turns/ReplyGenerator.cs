using Copilot.Grains.ChatModel;
using Copilot.Grains.Telemetry;
using Copilot.Grains.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Copilot.Grains.Sessions.Turns;

/// <summary>Streams the model's reply into an <see cref="ActiveTurn"/> and says how it ended: a failure, a timeout
/// between chunks, a stop or a shutdown become a status and an error code, never an exception. Every call the model
/// may have billed is charged: its reported usage, else <see cref="TokenEstimate"/>.</summary>
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
        var received = false;
        long receivedChars = 0;
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
                var text = update.Text;
                received = true;
                receivedChars += text.Length;
                modelId ??= update.ModelId;
                foreach (var content in update.Contents)
                {
                    if (content is UsageContent usageContent)
                    {
                        usage = usageContent.Details;
                    }
                }

                turn.Append(repair.Next(text));
                measured?.Text(text);
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
        var charged = Charge(usage, received || !IsRefusal(errorCode), input, receivedChars);
        return new ReplyOutcome(status, new MessageMetadata
        {
            Model = modelId ?? model.EffectiveModel,
            InputTokens = charged.Input,
            OutputTokens = charged.Output,
            UsageEstimated = charged.Estimated ? true : null,
            InputImages = CountImages(input),
            ErrorCode = errorCode,
        });
    }

    /// <summary>The tokens to charge: what the model reported, each count it left out estimated; nothing when the call
    /// never <paramref name="reachedModel"/>.</summary>
    /// <remarks>The report comes in the stream's last chunk, so a reply that ends any other way (stopped, cut at the length
    /// cap, timed out, failed mid-stream) has none, yet the provider bills the input it read and the output it wrote:
    /// without an estimate, stopping every reply just before its end would never use up the daily quota.</remarks>
    private static (long? Input, long? Output, bool Estimated) Charge(
        UsageDetails? usage, bool reachedModel, IList<ChatMessage> input, long receivedChars)
    {
        if (usage is { InputTokenCount: { } reportedInput, OutputTokenCount: { } reportedOutput })
        {
            return (reportedInput, reportedOutput, false);
        }

        if (!reachedModel)
        {
            return (null, null, false);
        }

        return (usage?.InputTokenCount ?? TokenEstimate.Input(input), usage?.OutputTokenCount ?? TokenEstimate.OfText(receivedChars), true);
    }

    /// <summary>Whether <paramref name="errorCode"/>, for a call that received nothing, says the provider answered with an
    /// error status or was never reached: a request it refused is not billed. Anything else (a stop, a timeout, an
    /// unknown failure) may have been read by the model, so it is charged.</summary>
    private static bool IsRefusal(string? errorCode) => errorCode is
        ErrorCodes.ModelUnreachable or ErrorCodes.ModelRateLimited or ErrorCodes.ModelAuthFailed
        or ErrorCodes.ModelRejected or ErrorCodes.ModelUnavailable;

    private static int? CountImages(IList<ChatMessage> input)
    {
        var images = input.Sum(m => m.Contents.Count(TokenEstimate.IsImage));
        return images > 0 ? images : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the chat model failed ({ErrorCode})")]
    private static partial void LogModelFailed(ILogger logger, Exception exception, Guid sessionId, string errorCode);
}

using Copilot.Api.Auth;
using Copilot.Api.Errors;
using Copilot.Api.RateLimiting;
using Copilot.Api.Shared;
using Copilot.Api.V1.Feedback;
using Copilot.Grains.Feedback;
using Copilot.Grains.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Copilot.Api.V1;

/// <summary>The owner's feedback on a reply: set (replacing any earlier one) or clear.</summary>
internal static class FeedbackApi
{
    /// <summary>Maps <c>PUT</c> and <c>DELETE /v1/sessions/{id}/messages/{messageId}/feedback</c>.</summary>
    public static RouteGroupBuilder MapV1Feedback(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapV1Group("/v1/sessions/{id}/messages/{messageId}/feedback", "Feedback (v1)").RequireCopilotWriteLimits();
        group.MapPut("", SetAsync).Accepts<FeedbackRequest>("application/json").WithSummary("Rate a reply (replaces an earlier rating)");
        group.MapDelete("", ClearAsync).WithSummary("Remove the rating of a reply");
        return group;
    }

    /// <summary>Sets the caller's feedback on a reply of their session and answers with what is stored.</summary>
    public static async Task<Results<Ok<FeedbackResponse>, ProblemHttpResult>> SetAsync(
        string id, string messageId, HttpContext httpContext, IGrainFactory grains, IOptions<ApiOptions> apiOptions)
    {
        var errors = new Dictionary<string, string[]>();
        var (sessionId, replyId) = ReadIds(id, messageId, errors);
        var maxBody = apiOptions.Value.MaxRequestBodyBytes;
        var (document, fault) = await JsonBody.ReadAsync(httpContext.Request, maxBody, httpContext.RequestAborted);
        if (fault == JsonBodyFault.TooLarge)
        {
            return ApiErrors.TooLarge(maxBody).ToProblem();
        }

        MessageFeedback? feedback;
        using (document)
        {
            if (document is null)
            {
                errors["body"] = ["must be JSON"];
            }

            feedback = document is null ? null : FeedbackRequest.Read(document.RootElement, errors);
        }

        if (errors.Count > 0)
        {
            return ApiErrors.InvalidFields(errors).ToProblem();
        }

        var (answer, problem) = await AskAsync(grains, sessionId, httpContext, replyId, feedback);
        return problem is null ? TypedResults.Ok(FeedbackResponse.From(answer!.Feedback!)) : problem;
    }

    /// <summary>Clears the caller's feedback on a reply of their session; 204 whether or not it had any.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> ClearAsync(
        string id, string messageId, HttpContext httpContext, IGrainFactory grains)
    {
        var errors = new Dictionary<string, string[]>();
        var (sessionId, replyId) = ReadIds(id, messageId, errors);
        if (errors.Count > 0)
        {
            return ApiErrors.InvalidFields(errors).ToProblem();
        }

        var (_, problem) = await AskAsync(grains, sessionId, httpContext, replyId, null);
        return problem is null ? TypedResults.NoContent() : problem;
    }

    private static (Guid SessionId, Guid MessageId) ReadIds(string id, string messageId, Dictionary<string, string[]> errors)
    {
        if (!Guid.TryParse(id, out var sessionId))
        {
            errors["id"] = ["must be a UUID"];
        }

        if (!Guid.TryParse(messageId, out var replyId))
        {
            errors["messageId"] = ["must be the UUID of a reply"];
        }

        return (sessionId, replyId);
    }

    private static async Task<(FeedbackAnswer? Answer, ProblemHttpResult? Problem)> AskAsync(
        IGrainFactory grains, Guid sessionId, HttpContext httpContext, Guid messageId, MessageFeedback? feedback)
    {
        try
        {
            var answer = await grains.GetGrain<ISessionGrain>(sessionId).SetFeedbackAsync(httpContext.User.GetUserId(), messageId, feedback);
            return answer.Outcome switch
            {
                FeedbackOutcome.MessageNotFound => (null, ApiErrors.MessageNotFound.ToProblem()),
                FeedbackOutcome.NotAReply => (null, ApiErrors.NotAReply.ToProblem()),
                _ => (answer, null),
            };
        }
        catch (Exception ex) when (ApiErrors.FromRefusal(ex) is { } refusal)
        {
            return (null, refusal.ToProblem());
        }
    }
}

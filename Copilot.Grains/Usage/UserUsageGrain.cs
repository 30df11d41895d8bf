using Copilot.Grains.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Grains.Usage;

/// <inheritdoc cref="IUserUsageGrain" />
internal sealed class UserUsageGrain(
    [PersistentState(CopilotStorage.UserUsageStateName, CopilotStorage.ProviderName)]
    IPersistentState<UserUsageState> state,
    [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time) : Grain, IUserUsageGrain
{
    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task AddAsync(long tokens)
    {
        if (tokens <= 0)
        {
            return;
        }

        var today = Today;
        state.State = state.State.Day == today
            ? state.State with { Tokens = state.State.Tokens + tokens }
            : new UserUsageState { Day = today, Tokens = tokens };
        await state.WriteStateAsync();
    }

    public Task<long> GetTodayAsync() => Task.FromResult(state.State.Day == Today ? state.State.Tokens : 0);

    public async Task ClearAsync()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        state.State = new UserUsageState();
    }
}

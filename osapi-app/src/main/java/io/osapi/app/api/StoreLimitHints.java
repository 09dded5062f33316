package io.osapi.app.api;

import io.osapi.core.domain.StoreFullException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a 507 (a store with no room) tells the caller to change: the name of the setting behind
 * each bound and of the retention, supplied by the wiring (the API itself names no command-line
 * option).
 *
 * @param options the setting of each bound
 * @param retention the setting of how long jobs are kept
 */
public record StoreLimitHints(Map<StoreFullException.Limit, String> options, String retention) {
  /** Checks that every bound has its setting. */
  public StoreLimitHints {
    options = Map.copyOf(options);
    Objects.requireNonNull(retention, "retention");
    for (StoreFullException.Limit l : StoreFullException.Limit.values()) {
      if (!options.containsKey(l)) {
        throw new IllegalArgumentException("no setting named for the " + l + " bound");
      }
    }
  }

  /** 507: the bound reached, its value, the setting that sets it and what to do. */
  ApiException answer(StoreFullException e) {
    String option = options.get(e.limit());
    String raise = e.limit() == StoreFullException.Limit.SERVER
        ? "give the NATS server more JetStream storage (" + option + ")" : "raise " + option;
    return new ApiException(507, e.getMessage() + "; delete jobs, wait for " + retention
        + " to expire them, or " + raise, Map.of("limit", e.limit().name().toLowerCase(
            Locale.ROOT), "max", e.max(), "option", option), Map.of());
  }
}

package io.osapi.app.api;

import com.sun.net.httpserver.Filter;
import java.util.List;

/**
 * The filters every REST API request passes through, outermost first: the HTTP server metrics
 * when the process has a metrics backend that records them, none otherwise.
 *
 * @param filters the filters
 */
public record ApiFilters(List<Filter> filters) {
  /** Copies the list. */
  public ApiFilters {
    filters = List.copyOf(filters);
  }

  /** No filters. */
  public static ApiFilters none() {
    return new ApiFilters(List.of());
  }
}

package io.osapi.core.domain;

import java.util.List;

/**
 * A page of the live workers, by id.
 *
 * @param items the workers of this page, sorted by id
 * @param total live workers in all
 * @param next the id to pass as {@code after} for the next page; null on the last page
 */
public record WorkerPage(List<WorkerInfo> items, int total, String next) {
  /** Most workers on one page. */
  public static final int MAX_LIMIT = 1000;

  /** Copies the list. */
  public WorkerPage {
    items = List.copyOf(items);
  }

  /**
   * The page of {@code limit} workers after id {@code after} (null: from the first) of {@code
   * sorted}.
   *
   * @throws InvalidInputException when {@code limit} is not 1 to {@value #MAX_LIMIT} or {@code
   *     after} is not a worker id
   */
  public static WorkerPage of(List<WorkerInfo> sorted, int limit, String after) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidInputException("limit", "limit must be between 1 and " + MAX_LIMIT);
    }
    if (after != null) {
      Names.requireWorkerId("after", after);
    }
    int from = 0;
    if (after != null) {
      int lo = 0;
      int hi = sorted.size();
      while (lo < hi) { // first id greater than after
        int mid = (lo + hi) >>> 1;
        if (sorted.get(mid).id().compareTo(after) <= 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      from = lo;
    }
    int to = Math.min(sorted.size(), from + limit);
    List<WorkerInfo> items = sorted.subList(from, to);
    String next = to < sorted.size() && !items.isEmpty() ? items.get(items.size() - 1).id() : null;
    return new WorkerPage(items, sorted.size(), next);
  }
}

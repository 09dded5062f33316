package io.osapi.core.domain;

import java.util.List;

/**
 * One page of a job listing.
 *
 * @param items the jobs on this page, newest first
 * @param total how many jobs match the filter in all
 * @param next the cursor of the next page (the last job of this one, to list jobs older than it),
 *     or null when no matching job follows
 */
public record JobPage(List<JobSummary> items, int total, JobId next) {
  /** Copies the list. */
  public JobPage {
    items = List.copyOf(items);
  }

  /** A page with nothing after it. */
  public JobPage(List<JobSummary> items, int total) {
    this(items, total, null);
  }
}

package io.osapi.core.domain;

import java.util.List;

/**
 * One page of a job listing.
 *
 * @param items the jobs on this page, newest first
 * @param total how many jobs match the filter in all
 */
public record JobPage(List<JobView> items, int total) {
  /** Copies the list. */
  public JobPage {
    items = List.copyOf(items);
  }
}

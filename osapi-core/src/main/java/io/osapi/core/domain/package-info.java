/**
 * The osapi domain: jobs, operations, targets, status events and the rules that compute a job's
 * status. Depends on nothing but the JDK and nothing else in osapi.
 */
package io.osapi.core.domain;

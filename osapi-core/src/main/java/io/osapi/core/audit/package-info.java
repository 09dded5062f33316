/**
 * The audit trail: one {@link io.osapi.core.audit.AuditRecord} per request that changed (or
 * tried to change) something, kept by an {@link io.osapi.core.audit.AuditLog} (a port: the
 * embedded broker keeps a bounded ring, the NATS adapter a JetStream stream with a max age and a
 * max size). {@link io.osapi.core.audit.InMemoryAuditLog} is that ring, {@link
 * io.osapi.core.audit.AuditJson} the one JSON form of a record.
 */
package io.osapi.core.audit;

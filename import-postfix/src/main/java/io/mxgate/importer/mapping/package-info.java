/**
 * What becomes of each Postfix parameter: {@link io.mxgate.importer.mapping.ParameterMap} is the one table from
 * Postfix names to the chart's values (a chart value, or an mxgate.* key under {@code config} or a component's
 * {@code config}, named by the rule {@code virtual_mailbox_maps} → {@code virtual-mailbox-maps}), or the reason it
 * has no equivalent and what to do instead. Each setting read is a {@link io.mxgate.importer.mapping.Setting}, and
 * its fate an {@link io.mxgate.importer.mapping.Outcome}.
 */
package io.mxgate.importer.mapping;

/** The values file for helm/mxgate: nested maps built from the carried settings and tables, written as YAML. */
package io.mxgate.importer.chart;

<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.16-Białowieża" styleCategories="Symbology|Labeling">
  <!-- precise incident to nearest border point: thin dashed grey -->
  <renderer-v2 type="singleSymbol" symbollevels="0" forceraster="0" enableorderby="0"><symbols><symbol type="line" name="0" alpha="1" clip_to_extent="1" force_rhr="0"><data_defined_properties><Option type="Map"><Option name="name" type="QString" value=""/><Option name="properties"/><Option name="type" type="QString" value="collection"/></Option></data_defined_properties><layer class="SimpleLine" enabled="1" pass="0" locked="0"><Option type="Map"><Option name="capstyle" type="QString" value="round"/><Option name="joinstyle" type="QString" value="round"/><Option name="line_color" type="QString" value="85,85,85,200"/><Option name="line_style" type="QString" value="dash"/><Option name="line_width" type="QString" value="0.35"/><Option name="line_width_unit" type="QString" value="MM"/><Option name="offset" type="QString" value="0"/><Option name="offset_unit" type="QString" value="MM"/></Option><data_defined_properties><Option type="Map"><Option name="name" type="QString" value=""/><Option name="properties"/><Option name="type" type="QString" value="collection"/></Option></data_defined_properties></layer></symbol></symbols><rotation/><sizescale/></renderer-v2>
  <blendMode>0</blendMode>
  <featureBlendMode>0</featureBlendMode>
  <layerOpacity>1</layerOpacity>
</qgis>

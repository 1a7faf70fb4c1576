-- Where a store is (issue 15, part A, first step): both or neither; degrees on WGS 84. Delivery
-- zones (a later migration) are drawn around it and require it.
ALTER TABLE stores
  ADD COLUMN location_lat double precision,
  ADD COLUMN location_lng double precision,
  ADD CONSTRAINT stores_location_pair CHECK ((location_lat IS NULL) = (location_lng IS NULL)),
  ADD CONSTRAINT stores_location_range CHECK (location_lat BETWEEN -90 AND 90 AND location_lng BETWEEN -180 AND 180);

// The values a model sees at decision time, by feature name: numbers (int, float, bool as 0/1),
// category or string values, null when missing, arrays for last_n sequences. The same shape is
// logged in Decision.features and Example.features (schemas/Decision, schemas/Example).

export type FeatureScalar = null | number | string;
export type FeatureValue = FeatureScalar | FeatureScalar[];
export type FeatureValues = Record<string, FeatureValue>;

// Word lists the generators draw from.

export const FIRST_NAMES = [
  'Ava', 'Liam', 'Olivia', 'Noah', 'Emma', 'Mateo', 'Sophia', 'Lucas', 'Isabella', 'Ethan', 'Mia', 'Amara',
  'Kenji', 'Priya', 'Chloé', 'Zoë', 'Mohammed', 'Fatima', 'Björn', 'Ingrid', 'Diego', 'Lucía', 'Wei', 'Hana',
  'Oluwaseun', 'Siobhan', 'Rafael', 'Nadia', 'Tomás', 'Aisha', 'Jack', 'Grace',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Garcia', 'Müller', 'Rossi', 'Nguyen', 'Kim', 'Patel', 'Okafor', "O'Brien", 'Dubois',
  'Silva', 'Kowalski', 'Andersson', 'Tanaka', 'Cohen', 'Haddad', 'Novak', 'Ivanova', 'Murphy', 'Lopez', 'Chen',
  'Martin', 'Brown', 'Wilson', 'Moreau',
] as const;

export const ORGANIZATIONS = ['Acme Corp', 'Globex', 'Initech', 'Umbrella Health', 'Stark Industries', 'Wayne Enterprises', 'Hooli'] as const;
export const TITLES = ['Engineer', 'Designer', 'Buyer', 'Store Manager', 'Chef', 'Nurse', 'Teacher', 'Founder'] as const;
export const LOCALES = ['en-US', 'en-GB', 'fr-FR', 'de-DE', 'es-ES', 'pt-BR', 'ja-JP'] as const;
export const EMAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'proton.me', 'example.org'] as const;

export interface Place {
  city: string;
  region: string;
  country: string;
  zip: string;
  timezone: string;
  latitude: number;
  longitude: number;
}

export const PLACES: readonly Place[] = [
  { city: 'Boston', region: 'MA', country: 'United States', zip: '02108', timezone: 'America/New_York', latitude: 42.3601, longitude: -71.0589 },
  { city: 'Austin', region: 'TX', country: 'United States', zip: '73301', timezone: 'America/Chicago', latitude: 30.2672, longitude: -97.7431 },
  { city: 'Portland', region: 'OR', country: 'United States', zip: '97201', timezone: 'America/Los_Angeles', latitude: 45.5152, longitude: -122.6784 },
  { city: 'Toronto', region: 'ON', country: 'Canada', zip: 'M5H 2N2', timezone: 'America/Toronto', latitude: 43.6532, longitude: -79.3832 },
  { city: 'London', region: 'England', country: 'United Kingdom', zip: 'EC1A 1BB', timezone: 'Europe/London', latitude: 51.5074, longitude: -0.1278 },
  { city: 'Berlin', region: 'Berlin', country: 'Germany', zip: '10115', timezone: 'Europe/Berlin', latitude: 52.52, longitude: 13.405 },
  { city: 'Lyon', region: 'Auvergne-Rhône-Alpes', country: 'France', zip: '69001', timezone: 'Europe/Paris', latitude: 45.764, longitude: 4.8357 },
  { city: 'São Paulo', region: 'SP', country: 'Brazil', zip: '01000-000', timezone: 'America/Sao_Paulo', latitude: -23.5505, longitude: -46.6333 },
  { city: 'Sydney', region: 'NSW', country: 'Australia', zip: '2000', timezone: 'Australia/Sydney', latitude: -33.8688, longitude: 151.2093 },
  { city: 'Tokyo', region: 'Tokyo', country: 'Japan', zip: '100-0001', timezone: 'Asia/Tokyo', latitude: 35.6762, longitude: 139.6503 },
];

export const PRODUCT_ADJECTIVES = ['Classic', 'Organic', 'Vintage', 'Everyday', 'Premium', 'Recycled', 'Limited', 'Cozy', 'Trail', 'Studio'] as const;
export const PRODUCT_NOUNS = ['Hoodie', 'Sneaker', 'Tote Bag', 'Water Bottle', 'Beanie', 'Candle', 'Mug', 'Backpack', 'Tee', 'Jacket', 'Notebook', 'Sunglasses'] as const;
export const CATEGORY_NAMES = ['Apparel', 'Footwear', 'Accessories', 'Home', 'Outdoor', 'Kitchen', 'Stationery', 'Gifts', 'Sale', 'New Arrivals', 'Bestsellers', 'Kids'] as const;
export const VARIANT_OPTIONS = ['Small', 'Medium', 'Large', 'XL', 'Red', 'Blue', 'Black', 'Natural'] as const;

export const CAMPAIGN_THEMES = ['Spring Sale', 'Summer Drop', 'Back to School', 'Black Friday', 'Cyber Monday', 'Holiday Gift Guide', 'New Year', 'VIP Early Access', 'Restock Alert', 'Weekly Digest', 'Flash Sale', 'Loyalty Rewards'] as const;
export const FLOW_NAMES = ['Welcome Series', 'Abandoned Cart', 'Browse Abandonment', 'Post-Purchase Thank You', 'Win-Back', 'Birthday', 'Price Drop', 'Back in Stock', 'Sunset Unengaged', 'VIP Upgrade', 'Review Request', 'Replenishment'] as const;
export const LIST_NAMES = ['Newsletter', 'VIP Customers', 'SMS Subscribers', 'Preview List', 'Wholesale', 'Event Attendees', 'Giveaway Entrants', 'Popup Signups', 'Footer Signups', 'Loyalty Members', 'Staff', 'Beta Testers'] as const;
export const SEGMENT_NAMES = ['Engaged 30 Days', 'Engaged 90 Days', 'Repeat Buyers', 'High CLV', 'At Risk', 'Never Purchased', 'Opened Not Clicked', 'Likely to Churn', 'Bounced Recently', 'Mobile Push Opt-ins'] as const;
export const TAG_NAMES = ['promo', 'newsletter', 'seasonal', 'evergreen', 'test', 'vip', 'sms', 'automation', 'q1', 'q2', 'q3', 'q4', 'abandoned-cart', 'retention', 'acquisition'] as const;
export const TAG_GROUP_NAMES = ['Default Tag Group', 'Team', 'Goal', 'Quarter', 'Channel', 'Audience', 'Region'] as const;
export const FORM_NAMES = ['Welcome Popup', 'Exit Intent', 'Footer Signup', 'Spin to Win', 'SMS Flyout', 'Back in Stock Embed', 'Quiz Capture', 'Holiday Teaser'] as const;
export const IMAGE_SUBJECTS = ['hero', 'banner', 'logo', 'product', 'lifestyle', 'icon', 'footer', 'gif'] as const;
export const BOUNCE_TYPES = ['hard', 'soft', 'block'] as const;
export const DROP_REASONS = ['Previously Bounced', 'Unsubscribed', 'Marked as Spam', 'Invalid Email'] as const;
export const EMAIL_CLIENTS = ['Gmail', 'Apple Mail', 'Outlook', 'Yahoo Mail', 'Samsung Email'] as const;
export const BROWSERS = ['Chrome', 'Safari', 'Firefox', 'Edge'] as const;

import json
import unittest

from bundle_weights import CATALOG, changeset, clears_rule, with_new_weights


class BundleWeights(unittest.TestCase):
    def test_rule_is_a_gain_of_at_least_two_hundredths(self):
        self.assertTrue(clears_rule(30.2195, 30.2395))
        self.assertTrue(clears_rule(30.2195, 30.4))
        self.assertFalse(clears_rule(30.2195, 30.2394))
        self.assertFalse(clears_rule(30.2195, 30.1))

    def test_catalog_update_changes_one_entry_and_nothing_else(self):
        text = CATALOG.read_text()
        fields = {'file': 'weights/swinup-s-x4-v99.safetensors', 'size': 123, 'sha256': 'ab' * 32,
                  'yPsnr': 30.5, 'ySsim': 0.8612, 'version': 'v99 (a test; float16 .safetensors)'}
        updated = with_new_weights(text, 'swinup-s-x4', fields)
        before, after = json.loads(text)['models'], json.loads(updated)['models']
        changed = [a for b, a in zip(before, after) if a != b]
        self.assertEqual([m['id'] for m in changed], ['swinup-s-x4'])
        entry = changed[0]
        self.assertEqual((entry['source']['file'], entry['size'], entry['sha256']), (fields['file'], 123, 'ab' * 32))
        self.assertEqual(entry['measured'], {'dataset': 'Set5', 'yPsnr': 30.5, 'ySsim': 0.8612,
                                             'version': fields['version']})
        # Only the replaced values differ: the layout the formatter gave the file stays.
        self.assertEqual(len(updated.splitlines()), len(text.splitlines()))

    def test_changeset_bumps_the_models_package_with_both_scores(self):
        text = changeset('swinup-s-x2', 'v3', 2, {'psnr': 36.7319, 'ssim': 0.95471}, {'psnr': 36.9012, 'ssim': 0.9558})
        header, body = text.split('---\n')[1:]
        self.assertEqual(header, '"@swinup/models": minor\n')
        self.assertEqual(body.strip(), '`swinup-s-x2` v3: Set5 ×2 36.90 dB / 0.9558 (was 36.73 dB / 0.9547), '
                                       'measured with `swinup eval`.')


if __name__ == '__main__':
    unittest.main()

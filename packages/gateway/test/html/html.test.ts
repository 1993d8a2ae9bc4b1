import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html, trustedHtml } from '../../src/html/html.js';

describe('html template', () => {
  it('escapes interpolated text in content and in quoted attributes', () => {
    const name = `<script>alert("x")</script> & 'y'`;
    assert.equal(
      html`<p title="${name}">${name}</p>`.toString(),
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>',
    );
  });

  it('keeps nested templates and trusted markup as they are, and escapes the text inside them once', () => {
    const rows = ['a<b', 'c&d'].map((s) => html`<li>${s}</li>`);
    assert.equal(html`<ul>${rows}</ul>`.toString(), '<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
    assert.equal(html`<style>${trustedHtml('a>b{}')}</style>`.toString(), '<style>a>b{}</style>');
  });

  it('renders numbers, and nothing for null, undefined and false', () => {
    assert.equal(html`${1.5}|${0}|${true}|${null}|${undefined}|${false}`.toString(), '1.5|0|true|||');
  });
});

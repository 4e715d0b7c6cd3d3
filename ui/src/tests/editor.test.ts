import { describe, expect, it, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { product } from './fixtures';

const ipc = vi.hoisted(() => ({ product: vi.fn(), history: vi.fn(), editField: vi.fn(), undo: vi.fn() }));
vi.mock('$lib/ipc', () => ({ ipc }));

import ProductEditor from '../components/product/ProductEditor.svelte';

const props = { id: 'id-1', categories: [], onClose: () => {}, onSaved: vi.fn() };

beforeEach(() => {
  ipc.product.mockReset().mockResolvedValue(product());
  ipc.history.mockReset().mockResolvedValue([
    { id: 'h1', op: 'update', field: 'price', old: '499000 RUB', new: '450000 RUB', old_text: '4 990,00', new_text: '4 500,00', who: 'desktop', at: 1_760_000_000_000, batch: 'b1' },
  ]);
  ipc.editField.mockReset();
  ipc.undo.mockReset().mockResolvedValue(product());
});

function field(name: string) {
  return document.querySelector(`[data-field="${name}"]`) as HTMLInputElement;
}

describe('product editor', () => {
  it('shows every field and the history', async () => {
    render(ProductEditor, props);
    await waitFor(() => expect(field('price').value).toBe('4 990,00'));
    expect(field('sku').value).toBe('SKU-1');
    expect(field('barcodes').value).toBe('4006381333931');
    expect(screen.getByDisplayValue('Цвет')).toBeInTheDocument();
    expect(screen.getByText('desktop')).toBeInTheDocument();
    expect(document.querySelector('.change')?.textContent).toBe('4 990,00 → 4 500,00');
    expect(document.querySelector('.thumbs img')?.getAttribute('src')).toBe('https://example.test/1.jpg');
  });

  it('says when a kit keeps its stock as its own after losing its last component', async () => {
    ipc.history.mockResolvedValue([
      { id: 'h2', op: 'update', field: 'stock', old: '141', new: '141', old_text: '141', new_text: '141', who: 'desktop', at: 1_760_000_000_000, batch: 'b2' },
    ]);
    render(ProductEditor, props);
    await waitFor(() => expect(document.querySelector('.change')?.textContent).toBe('141 · теперь своё значение (связь снята)'));
  });

  it('refuses an invalid price at the field without saving', async () => {
    render(ProductEditor, props);
    await waitFor(() => expect(field('price').value).toBe('4 990,00'));
    await fireEvent.input(field('price'), { target: { value: '-5' } });
    await fireEvent.blur(field('price'));
    expect(await screen.findByText('Не может быть отрицательным')).toBeInTheDocument();
    await fireEvent.input(field('price'), { target: { value: 'дорого' } });
    await fireEvent.blur(field('price'));
    expect(await screen.findByText(/Введите сумму/)).toBeInTheDocument();
    await fireEvent.input(field('barcodes'), { target: { value: '4006381333932' } });
    await fireEvent.blur(field('barcodes'));
    expect(await screen.findByText(/Штрихкод 4006381333932 неверен/)).toBeInTheDocument();
    expect(ipc.editField).not.toHaveBeenCalled();
  });

  it('saves a valid value immediately and shows the reason when the catalog refuses one', async () => {
    const updated = product();
    updated.fields = updated.fields.map((f) => (f.field === 'price' ? { ...f, text: '5 490,00' } : f));
    ipc.editField.mockResolvedValueOnce(updated);
    render(ProductEditor, props);
    await waitFor(() => expect(field('price').value).toBe('4 990,00'));
    await fireEvent.input(field('price'), { target: { value: '5 490' } });
    await fireEvent.keyDown(field('price'), { key: 'Enter' });
    await waitFor(() => expect(ipc.editField).toHaveBeenCalledWith('id-1', 'price', '5 490'));
    await waitFor(() => expect(field('price').value).toBe('5 490,00'));
    expect(props.onSaved).toHaveBeenCalled();

    ipc.editField.mockRejectedValueOnce({ code: 'conflict', message: 'a product with SKU "X" already exists' });
    await fireEvent.input(field('sku'), { target: { value: 'X' } });
    await fireEvent.blur(field('sku'));
    expect(await screen.findByText('a product with SKU "X" already exists')).toBeInTheDocument();
  });

  it('undoes the last change', async () => {
    render(ProductEditor, props);
    await screen.findByText('desktop');
    await fireEvent.click(screen.getByTestId('undo'));
    await waitFor(() => expect(ipc.undo).toHaveBeenCalledWith('id-1'));
  });
});
